package dev.cipsec.scanner.io;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.epath.DataSegment;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.ElectronicKeySegment;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.epath.Segment;
import dev.cipsec.wire.io.RunIdleHeader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a Forward_Open for a class 0/1 I/O connection asks for. Build with {@link #builder()};
 * the defaults are those of OpENer's sample device (and our adapter's default profile): exclusive
 * owner, configuration assembly 151, O->T point 150, T->O point 100, 32 bytes each way, RPI 10 ms,
 * the timeout multiplier of {@link #autoTimeoutMultiplier} (x16 at 10 ms), point-to-point, class 1,
 * local I/O port 2222.
 *
 * <p>Sizes are application data bytes. The connection sizes on the wire are derived
 * ({@link #otConnectionSize()}, {@link #toConnectionSize()}): class 1 adds the 2-byte sequence
 * count both ways and O->T adds the 4-byte run/idle header; a heartbeat O->T (input only, listen
 * only) carries no data, so its size is 6.
 *
 * @param configData   configuration data appended to the path as a simple data segment (empty: none)
 * @param localPort    local UDP port that receives T->O (default 2222; 0 = ephemeral)
 * @param electronicKey checked by the target before anything else, when present
 */
public record IoSettings(ApplicationType applicationType, int configPoint, Bytes configData, int otPoint,
                         int toPoint, int otSize, int toSize, Duration otRpi, Duration toRpi, int timeoutMultiplier,
                         boolean multicast, boolean class0, Optional<ElectronicKeySegment> electronicKey,
                         int localPort, boolean initialRun, Bytes initialOutput) {
    public static final int DEFAULT_IO_PORT = 2222;
    /** The shortest timeout {@link #autoTimeoutMultiplier} picks. */
    public static final Duration MIN_AUTO_TIMEOUT = Duration.ofMillis(100);
    private static final int CLASS1_SEQUENCE = 2;
    private static final int ASSEMBLY_CLASS = 0x04;

    public IoSettings {
        Objects.requireNonNull(applicationType, "applicationType");
        Objects.requireNonNull(configData, "configData");
        Objects.requireNonNull(otRpi, "otRpi");
        Objects.requireNonNull(toRpi, "toRpi");
        Objects.requireNonNull(electronicKey, "electronicKey");
        checkPoint(configPoint, "configPoint");
        checkPoint(otPoint, "otPoint");
        checkPoint(toPoint, "toPoint");
        if (otSize < 0 || toSize < 0) {
            throw new IllegalArgumentException("sizes must not be negative: " + otSize + ", " + toSize);
        }
        if (!applicationType.producesOutput() && otSize != 0) {
            throw new IllegalArgumentException(applicationType + " sends heartbeats only: O->T size must be 0");
        }
        rpiMicros(otRpi, "otRpi");
        rpiMicros(toRpi, "toRpi");
        if (timeoutMultiplier < 0 || timeoutMultiplier > 7) {
            throw new IllegalArgumentException("timeout multiplier must be 0..7 (x4 .. x512): " + timeoutMultiplier);
        }
        if ((configData.length() & 1) != 0 || configData.length() > 2 * 0xFF) {
            throw new IllegalArgumentException("configuration data must be an even number of bytes up to 510: "
                    + configData.length());
        }
        Objects.requireNonNull(initialOutput, "initialOutput");
        if (!initialOutput.isEmpty() && initialOutput.length() != otSize) {
            throw new IllegalArgumentException("initial output must be the O->T size, " + otSize + " bytes: " + initialOutput.length());
        }
        if (localPort < 0 || localPort > 0xFFFF) {
            throw new IllegalArgumentException("local port must be 0..65535: " + localPort);
        }
        if (class0 && applicationType != ApplicationType.EXCLUSIVE_OWNER) {
            // Without a sequence count there is nothing to tell a class 0 heartbeat from a lost packet.
            throw new IllegalArgumentException("class 0 is supported for exclusive owner connections only");
        }
        // Fields are assigned after the compact constructor: compute from the parameters.
        int sequence = class0 ? 0 : CLASS1_SEQUENCE;
        if (sequence + RunIdleHeader.LENGTH + (long) otSize > 0xFFFF || sequence + (long) toSize > 0xFFFF) {
            throw new IllegalArgumentException("connection sizes above 65535 bytes");
        }
    }

    private static void checkPoint(int point, String name) {
        if (point < 0 || point > 0xFFFF) {
            throw new IllegalArgumentException(name + " must be 0..65535: " + point);
        }
    }

    static long rpiMicros(Duration rpi, String name) {
        long micros = rpi.toNanos() / 1000;
        if (micros < 1 || micros > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(name + " must be 1 us .. 4294 s: " + rpi);
        }
        return micros;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** O->T connection size in the Forward_Open: sequence count + run/idle header + data. */
    public int otConnectionSize() {
        return (class0 ? 0 : CLASS1_SEQUENCE) + RunIdleHeader.LENGTH + otSize;
    }

    /** T->O connection size in the Forward_Open: sequence count + data (modeless). */
    public int toConnectionSize() {
        return (class0 ? 0 : CLASS1_SEQUENCE) + toSize;
    }

    /** Whether the request needs Large_Forward_Open (a connection size above 511). */
    public boolean large() {
        return otConnectionSize() > 0x01FF || toConnectionSize() > 0x01FF;
    }

    public long otRpiMicros() {
        return rpiMicros(otRpi, "otRpi");
    }

    public long toRpiMicros() {
        return rpiMicros(toRpi, "toRpi");
    }

    /** Transport class/trigger: client, cyclic, class 1 (0x01) or class 0 (0x00). */
    public int transportTrigger() {
        return class0 ? 0x00 : 0x01;
    }

    /**
     * The connection path: [electronic key] class 4, configuration instance, O->T and T->O
     * connection points, [configuration data], as OpENer's sample originator sends it.
     */
    public EPath connectionPath() {
        List<Segment> s = new ArrayList<>();
        electronicKey.ifPresent(s::add);
        s.add(LogicalSegment.of(LogicalType.CLASS, ASSEMBLY_CLASS));
        s.add(LogicalSegment.of(LogicalType.INSTANCE, configPoint));
        s.add(LogicalSegment.of(LogicalType.CONNECTION_POINT, otPoint));
        s.add(LogicalSegment.of(LogicalType.CONNECTION_POINT, toPoint));
        if (configData.length() > 0) {
            s.add(new DataSegment.Simple(configData));
        }
        return new EPath(s);
    }

    /**
     * The multiplier a builder uses unless told otherwise: the smallest of 0..7 whose timeout,
     * the shorter RPI x (4 << m), is at least {@link #MIN_AUTO_TIMEOUT} (7 if none is). This is
     * what Rockwell's Logix scanners do (timeout = max(4 x RPI, 100 ms), doubling the multiplier)
     * and close to Schneider's table for the M580 (x64 at 2 ms, x16 at 10 ms): x4 is the
     * protocol's minimum, and at an RPI of a few milliseconds it turns any 4 ms hiccup of a host
     * or switch into a connection fault, where 100 ms still catches a dead peer fast.
     */
    public static int autoTimeoutMultiplier(Duration otRpi, Duration toRpi) {
        long shortest = Math.min(otRpi.toNanos(), toRpi.toNanos());
        int m = 0;
        while (m < 7 && shortest * (4L << m) < MIN_AUTO_TIMEOUT.toNanos()) {
            m++;
        }
        return m;
    }

    /** Nothing valid for this long in T->O closes the connection: T->O RPI x (4 << multiplier). */
    public long timeoutNanos() {
        return toRpiMicros() * 1000L * (4L << timeoutMultiplier);
    }

    /** Mutable builder with the defaults of {@link IoSettings}. */
    public static final class Builder {
        private ApplicationType applicationType = ApplicationType.EXCLUSIVE_OWNER;
        private int configPoint = 151;
        private Bytes configData = Bytes.EMPTY;
        private int otPoint = 150;
        private int toPoint = 100;
        private int otSize = 32;
        private int toSize = 32;
        private Duration otRpi = Duration.ofMillis(10);
        private Duration toRpi = Duration.ofMillis(10);
        /** Null: {@link #autoTimeoutMultiplier} at build time. */
        private Integer timeoutMultiplier;
        private boolean multicast;
        private boolean class0;
        private Optional<ElectronicKeySegment> electronicKey = Optional.empty();
        private int localPort = DEFAULT_IO_PORT;
        private boolean initialRun = true;
        private Bytes initialOutput = Bytes.EMPTY;

        private Builder() {
        }

        private Builder(IoSettings s) {
            applicationType = s.applicationType;
            configPoint = s.configPoint;
            configData = s.configData;
            otPoint = s.otPoint;
            toPoint = s.toPoint;
            otSize = s.otSize;
            toSize = s.toSize;
            otRpi = s.otRpi;
            toRpi = s.toRpi;
            timeoutMultiplier = s.timeoutMultiplier;
            multicast = s.multicast;
            class0 = s.class0;
            electronicKey = s.electronicKey;
            localPort = s.localPort;
            initialRun = s.initialRun;
            initialOutput = s.initialOutput;
        }

        /**
         * Run (default) or idle in the O->T header from the first packet on, so a connection that
         * is to start idle never sends a run packet.
         */
        public Builder initialRun(boolean run) {
            initialRun = run;
            return this;
        }

        /** O->T data from the first packet on (exactly the O->T size); default all zeros. */
        public Builder initialOutput(Bytes data) {
            initialOutput = Objects.requireNonNull(data, "data");
            return this;
        }

        /** Exclusive owner (default). */
        public Builder exclusiveOwner() {
            applicationType = ApplicationType.EXCLUSIVE_OWNER;
            return this;
        }

        /** Input only to heartbeat point {@code heartbeatPoint} (OpENer sample: 152); O->T size becomes 0. */
        public Builder inputOnly(int heartbeatPoint) {
            applicationType = ApplicationType.INPUT_ONLY;
            otPoint = heartbeatPoint;
            otSize = 0;
            return this;
        }

        /** Listen only to heartbeat point {@code heartbeatPoint} (OpENer sample: 153); O->T size becomes 0. */
        public Builder listenOnly(int heartbeatPoint) {
            applicationType = ApplicationType.LISTEN_ONLY;
            otPoint = heartbeatPoint;
            otSize = 0;
            return this;
        }

        public Builder applicationType(ApplicationType t) {
            applicationType = t;
            return this;
        }

        public Builder configPoint(int point) {
            configPoint = point;
            return this;
        }

        public Builder configData(Bytes data) {
            configData = data;
            return this;
        }

        public Builder otPoint(int point) {
            otPoint = point;
            return this;
        }

        public Builder toPoint(int point) {
            toPoint = point;
            return this;
        }

        /** O->T application data bytes (without sequence count and run/idle header). */
        public Builder otSize(int bytes) {
            otSize = bytes;
            return this;
        }

        /** T->O application data bytes (without sequence count). */
        public Builder toSize(int bytes) {
            toSize = bytes;
            return this;
        }

        /** Both RPIs. */
        public Builder rpi(Duration rpi) {
            otRpi = rpi;
            toRpi = rpi;
            return this;
        }

        public Builder otRpi(Duration rpi) {
            otRpi = rpi;
            return this;
        }

        public Builder toRpi(Duration rpi) {
            toRpi = rpi;
            return this;
        }

        /** 0..7 for x4 .. x512 (default: {@link IoSettings#autoTimeoutMultiplier}). */
        public Builder timeoutMultiplier(int m) {
            timeoutMultiplier = m;
            return this;
        }

        /** Ask for a multicast T->O connection instead of point-to-point. */
        public Builder multicast(boolean on) {
            multicast = on;
            return this;
        }

        /** Class 0 (no sequence count) instead of class 1. */
        public Builder class0(boolean on) {
            class0 = on;
            return this;
        }

        public Builder electronicKey(ElectronicKeySegment key) {
            electronicKey = Optional.of(key);
            return this;
        }

        /** Local UDP port for T->O (default 2222; 0 picks an ephemeral port). */
        public Builder localPort(int port) {
            localPort = port;
            return this;
        }

        public IoSettings build() {
            return new IoSettings(applicationType, configPoint, configData, otPoint, toPoint, otSize, toSize, otRpi,
                    toRpi, timeoutMultiplier != null ? timeoutMultiplier : autoTimeoutMultiplier(otRpi, toRpi), multicast, class0, electronicKey, localPort, initialRun, initialOutput);
        }
    }
}
