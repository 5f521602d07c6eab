package dev.cipsec.scanner;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.ConnectionTriad;
import dev.cipsec.wire.cm.ForwardCloseRequest;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cpf.ConnectedAddressItem;
import dev.cipsec.wire.cpf.ConnectedDataItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.epath.EPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A class 3 (connected explicit messaging) connection to a target's Message Router, opened with
 * Forward_Open over the owning {@link CipClient}'s session and carried in SendUnitData
 * (reference §2.11). Closing it sends Forward_Close; it never outlives its client.
 */
public final class ExplicitConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExplicitConnection.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Message Router instance 1: the application path of an explicit messaging connection. */
    static final EPath MESSAGE_ROUTER = EPath.classInstance(0x02, 1);

    /**
     * Forward_Open settings.
     *
     * @param rpi               requested packet interval both ways; with the multiplier it sets the
     *                          inactivity timeout (default 2 s x 16 = 32 s)
     * @param timeoutMultiplier 0..7 meaning x4 .. x512 (default 2: x16)
     * @param connectionSize    largest message either way, bytes (default 504; > 511 uses Large_Forward_Open)
     */
    public record Settings(Duration rpi, int timeoutMultiplier, int connectionSize) {
        public Settings {
            if (rpi.toNanos() / 1000 < 1 || rpi.toNanos() / 1000 > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("RPI must be 1 µs .. 4294 s");
            }
            if (timeoutMultiplier < 0 || timeoutMultiplier > 7) {
                throw new IllegalArgumentException("timeout multiplier must be 0..7");
            }
            if (connectionSize < 2 || connectionSize > 0xFFFF) {
                throw new IllegalArgumentException("connection size must be 2..65535");
            }
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(2), 2, 504);
        }
    }

    private final CipClient client;
    private final ConnectionTriad triad;
    private final long otConnectionId;
    private final long toConnectionId;
    private final AtomicBoolean closed = new AtomicBoolean();
    private int sequence;

    private ExplicitConnection(CipClient client, ConnectionTriad triad, long ot, long to) {
        this.client = client;
        this.triad = triad;
        this.otConnectionId = ot;
        this.toConnectionId = to;
    }

    static ExplicitConnection open(CipClient client, Settings settings) throws IOException, CipServiceException {
        boolean large = settings.connectionSize() > 511;
        NetworkConnectionParameters params = new NetworkConnectionParameters(settings.connectionSize(), true,
                NetworkConnectionParameters.PRIORITY_LOW, NetworkConnectionParameters.POINT_TO_POINT, false);
        ConnectionTriad triad = new ConnectionTriad(ConnectionSerials.next(), client.options().vendorId(),
                client.options().originatorSerial());
        long proposedTo = RANDOM.nextInt() & 0xFFFF_FFFFL;
        long rpiMicros = settings.rpi().toNanos() / 1000;
        ForwardOpenRequest fo = new ForwardOpenRequest(large, 0x0A, 0x0E, 0, proposedTo, triad.connectionSerial(),
                triad.originatorVendorId(), triad.originatorSerial(), settings.timeoutMultiplier(), rpiMicros, params,
                rpiMicros, params, 0xA3, MESSAGE_ROUTER);
        MessageRouterResponse r = client.send(fo.toRequest());
        Bytes data = CipClient.checked(r);
        try {
            ForwardOpenResponse ok = ForwardOpenResponse.decode(WireReader.of(data.toArray()));
            LOG.debug("class 3 connection to {} open: O->T 0x{}, T->O 0x{}", client.target(),
                    Long.toHexString(ok.otConnectionId()), Long.toHexString(ok.toConnectionId()));
            return new ExplicitConnection(client, triad, ok.otConnectionId(), ok.toConnectionId());
        } catch (WireFormatException e) {
            throw new IOException("malformed Forward_Open reply from " + client.target() + ": " + e.getMessage(), e);
        }
    }

    public long otConnectionId() {
        return otConnectionId;
    }

    public long toConnectionId() {
        return toConnectionId;
    }

    public ConnectionTriad triad() {
        return triad;
    }

    /** Sends one request over the connection and returns the reply, whatever its status. */
    public synchronized MessageRouterResponse send(MessageRouterRequest request) throws IOException {
        if (closed.get()) {
            throw new IOException("explicit connection is closed");
        }
        int seq = sequence = (sequence + 1) & 0xFFFF;
        Bytes mr = request.toBytes();
        WireWriter w = WireWriter.ofSize(2 + mr.length());
        w.u16(seq).bytes(mr);
        CpfPacket out = new CpfPacket(List.of(new ConnectedAddressItem(otConnectionId), new ConnectedDataItem(Bytes.of(w.array()))));
        MessageRouterResponse[] got = new MessageRouterResponse[1];
        client.exchangeUnitData(out, cpf -> {
            Optional<ConnectedAddressItem> addr = cpf.first(ConnectedAddressItem.class);
            Optional<ConnectedDataItem> data = cpf.first(ConnectedDataItem.class);
            if (addr.isEmpty() || data.isEmpty() || addr.get().connectionId() != toConnectionId) {
                return false;
            }
            WireReader r = WireReader.of(data.get().data().toArray());
            if (r.u16("sequence count") != seq) {
                return false;
            }
            got[0] = MessageRouterResponse.decode(r);
            return true;
        });
        return got[0];
    }

    public Bytes getAttributeSingle(EPath path) throws IOException, CipServiceException {
        return CipClient.checked(send(new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, path)));
    }

    public Bytes getAttributesAll(EPath path) throws IOException, CipServiceException {
        return CipClient.checked(send(new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTES_ALL, path)));
    }

    public void setAttributeSingle(EPath path, Bytes value) throws IOException, CipServiceException {
        CipClient.checked(send(new MessageRouterRequest(ServiceCodes.SET_ATTRIBUTE_SINGLE, path, value)));
    }

    /** Forward_Close; the connection is unusable afterwards even when the target refuses. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ForwardCloseRequest fc = new ForwardCloseRequest(0x0A, 0x0E, triad, MESSAGE_ROUTER);
        MessageRouterResponse r = client.send(fc.toRequest());
        if (!r.isSuccess()) {
            LOG.debug("Forward_Close to {} answered {}", client.target(), r);
        }
    }
}
