package dev.cipsec.transport;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class FrameReaderTest {
    /** Encapsulation-shaped framing: 24-byte header, u16 LE body length at offset 2. */
    static final int HEADER = 24;
    static final int MAX = HEADER + 100;

    static byte[] frame(int bodyLength, int fill) {
        byte[] f = new byte[HEADER + bodyLength];
        Arrays.fill(f, (byte) fill);
        f[2] = (byte) bodyLength;
        f[3] = (byte) (bodyLength >>> 8);
        return f;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static FrameReader reader(java.io.InputStream in) {
        return new FrameReader(in, HEADER, FrameReader.BodyLength.u16LeAt(2), MAX);
    }

    @Test
    void twoFramesInOneWriteThenCleanEof() throws IOException {
        byte[] a = frame(10, 0x11);
        byte[] b = frame(0, 0x22);
        FrameReader r = reader(new ByteArrayInputStream(concat(a, b)));
        byte[] buf = new byte[MAX];

        assertThat(r.readFrame(buf)).isEqualTo(a.length);
        assertThat(Arrays.copyOf(buf, a.length)).isEqualTo(a);
        assertThat(r.readFrame(buf)).isEqualTo(b.length);
        assertThat(Arrays.copyOf(buf, b.length)).isEqualTo(b);
        assertThat(r.readFrame(buf)).isEqualTo(-1);
        assertThat(r.readFrame(buf)).isEqualTo(-1);
    }

    @Test
    void frameSplitAcrossManyTinyWritesOnASocket() throws Exception {
        byte[] a = frame(100, 0x33);
        byte[] b = frame(7, 0x44);
        byte[] stream = concat(a, b);
        try (Loopback lo = Loopback.open()) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = lo.client().getOutputStream();
                    for (byte x : stream) {
                        out.write(x);
                        out.flush();
                    }
                    lo.client().shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            lo.server().setReadTimeout(Duration.ofSeconds(10));
            FrameReader r = reader(lo.server().in());
            byte[] buf = new byte[MAX];

            assertThat(r.readFrame(buf)).isEqualTo(a.length);
            assertThat(Arrays.copyOf(buf, a.length)).isEqualTo(a);
            assertThat(r.readFrame(buf)).isEqualTo(b.length);
            assertThat(Arrays.copyOf(buf, b.length)).isEqualTo(b);
            assertThat(r.readFrame(buf)).isEqualTo(-1);
            assertThat(writer.join(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void oversizeHeaderIsRejectedWithoutReadingTheBody() throws IOException {
        byte[] big = frame(MAX - HEADER + 1, 0x55);
        byte[] next = frame(1, 0x66);
        ByteArrayInputStream in = new ByteArrayInputStream(concat(big, next));
        FrameReader r = reader(in);
        byte[] buf = new byte[MAX];

        FrameTooLargeException e = catchThrowableOfType(FrameTooLargeException.class,
                () -> r.readFrame(buf));

        assertThat(e.header()).isEqualTo(Arrays.copyOf(big, HEADER));
        assertThat(e.bodyLength()).isEqualTo(MAX - HEADER + 1);
        assertThat(e.maxFrameSize()).isEqualTo(MAX);
        assertThat(in.available()).as("body and next frame left unread")
                .isEqualTo(big.length - HEADER + next.length);
        assertThatThrownBy(() -> r.readFrame(buf)).isInstanceOf(IOException.class)
                .isNotInstanceOf(FrameTooLargeException.class).hasMessageContaining("framing lost");
        assertThat(in.available()).isEqualTo(big.length - HEADER + next.length);
    }

    @Test
    void frameOfExactlyTheMaximumIsAccepted() throws IOException {
        byte[] max = frame(MAX - HEADER, 0x77);
        FrameReader r = reader(new ByteArrayInputStream(max));
        assertThat(r.readFrame(new byte[MAX])).isEqualTo(MAX);
    }

    @Test
    void eofInsideTheHeaderIsAnEofException() {
        byte[] partial = Arrays.copyOf(frame(10, 1), HEADER - 1);
        FrameReader r = reader(new ByteArrayInputStream(partial));
        assertThatThrownBy(() -> r.readFrame(new byte[MAX])).isInstanceOf(EOFException.class)
                .hasMessageContaining("header");
    }

    @Test
    void eofInsideTheBodyIsAnEofException() {
        byte[] partial = Arrays.copyOf(frame(10, 1), HEADER + 9);
        FrameReader r = reader(new ByteArrayInputStream(partial));
        assertThatThrownBy(() -> r.readFrame(new byte[MAX])).isInstanceOf(EOFException.class)
                .hasMessageContaining("body");
    }

    @Test
    void negativeBodyLengthFromTheFunctionLosesFraming() {
        FrameReader r = new FrameReader(new ByteArrayInputStream(new byte[8]), 4, f -> -1, 64);
        byte[] buf = new byte[64];
        assertThatThrownBy(() -> r.readFrame(buf)).isInstanceOf(IOException.class)
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> r.readFrame(buf)).hasMessageContaining("framing lost");
    }

    @Test
    void rejectsBuffersSmallerThanTheMaximumAndBadConfiguration() {
        FrameReader r = reader(new ByteArrayInputStream(new byte[0]));
        assertThatThrownBy(() -> r.readFrame(new byte[MAX - 1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.readFrame(new byte[MAX], Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(new byte[0]), 0, f -> 0, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(new byte[0]), 8, f -> 0, 7))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idleTimeoutBetweenFramesLeavesTheReaderUsable() throws Exception {
        try (Loopback lo = Loopback.open()) {
            lo.server().setReadTimeout(Duration.ofMillis(100));
            FrameReader r = reader(lo.server().in());
            byte[] buf = new byte[MAX];

            assertThatThrownBy(() -> r.readFrame(buf)).isExactlyInstanceOf(SocketTimeoutException.class);

            byte[] a = frame(5, 0x12);
            lo.client().getOutputStream().write(a);
            assertThat(r.readFrame(buf)).isEqualTo(a.length);
            assertThat(Arrays.copyOf(buf, a.length)).isEqualTo(a);
        }
    }

    @Test
    void timeoutInsideAFrameLosesFraming() throws Exception {
        try (Loopback lo = Loopback.open()) {
            lo.server().setReadTimeout(Duration.ofMillis(100));
            FrameReader r = reader(lo.server().in());
            byte[] buf = new byte[MAX];
            lo.client().getOutputStream().write(frame(5, 0x12), 0, HEADER + 2);

            assertThatThrownBy(() -> r.readFrame(buf)).isExactlyInstanceOf(SocketTimeoutException.class);
            assertThatThrownBy(() -> r.readFrame(buf)).hasMessageContaining("framing lost");
        }
    }

    @Test
    void tricklingPeerIsCutOffByTheFrameDeadlineThoughEachReadIsInTime() throws Exception {
        byte[] a = frame(4, 0x21);
        Duration tick = Duration.ofMillis(20);
        Duration readTimeout = Duration.ofSeconds(1);
        Duration frameDeadline = Duration.ofMillis(200);
        ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
        try (Loopback lo = Loopback.open()) {
            lo.server().setReadTimeout(readTimeout);
            byte[] buf = new byte[MAX];

            // Control: with only the per-read timeout, the trickled frame (28 ticks) gets through.
            trickle(trickler, lo, a, tick);
            assertThat(reader(lo.server().in()).readFrame(buf)).isEqualTo(a.length);

            trickle(trickler, lo, a, tick);
            FrameReader r = reader(lo.server().in());
            long start = System.nanoTime();
            assertThatThrownBy(() -> r.readFrame(buf, frameDeadline))
                    .isInstanceOf(FrameDeadlineException.class)
                    .isInstanceOf(SocketTimeoutException.class);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isLessThan(frameDeadline.plus(readTimeout))
                    .isLessThan(tick.multipliedBy(a.length));
        } finally {
            trickler.shutdownNow();
            assertThat(trickler.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void frameDeadlineDoesNotCountIdleTimeBeforeTheFirstByte() throws Exception {
        try (Loopback lo = Loopback.open()) {
            lo.server().setReadTimeout(Duration.ofMillis(300));
            FrameReader r = reader(lo.server().in());
            byte[] buf = new byte[MAX];
            assertThatThrownBy(() -> r.readFrame(buf, Duration.ofMillis(50)))
                    .isExactlyInstanceOf(SocketTimeoutException.class);
            byte[] a = frame(3, 0x31);
            lo.client().getOutputStream().write(a);
            assertThat(r.readFrame(buf, Duration.ofMillis(50))).isEqualTo(a.length);
        }
    }

    private static void trickle(ScheduledExecutorService ex, Loopback lo, byte[] bytes, Duration tick) {
        AtomicInteger next = new AtomicInteger();
        long ms = tick.toMillis();
        ex.scheduleAtFixedRate(() -> {
            int i = next.getAndIncrement();
            if (i >= bytes.length) {
                throw new IllegalStateException("done"); // ends this periodic task
            }
            try {
                lo.client().getOutputStream().write(bytes[i]);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, 0, ms, TimeUnit.MILLISECONDS);
    }
}
