package dev.cipsec.scanner;

import dev.cipsec.transport.FrameReader;
import dev.cipsec.transport.StreamConnection;
import dev.cipsec.transport.tcp.TcpConnector;
import dev.cipsec.transport.tls.TlsConnector;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.UnconnectedSendRequest;
import dev.cipsec.wire.cpf.CpfItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.ListServicesItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationHeader;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.EncapsulationStatus;
import dev.cipsec.wire.encap.RegisterSessionData;
import dev.cipsec.wire.encap.RrData;
import dev.cipsec.wire.epath.EPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An explicit-messaging client for one target: one TCP connection, one encapsulation session.
 *
 * <p>Requests are strictly sequential on a client (one outstanding request, matched to its reply by
 * sender context); open several clients for parallelism. Methods are thread-safe.
 */
public final class CipClient implements UcmmChannel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CipClient.class);
    /** The Connection Manager, target of Forward_Open, Forward_Close and Unconnected_Send. */
    static final EPath CONNECTION_MANAGER = EPath.classInstance(0x06, 1);

    private final Target target;
    private final ClientOptions options;
    private final StreamConnection connection;
    private final FrameReader frames;
    /** A recovered ListIdentity item is small (identity 34 + name, security 5 or 7 bytes). */
    private static final int MAX_RECOVERED_ITEM = 512;
    private static final long RECOVERY_WAIT_MILLIS = 500;
    private final byte[] rx;
    /** Reused for every frame in {@code rx}, under the lock. */
    private final WireReader reader;
    /** Request buffer of {@link #send}, grown on demand. */
    private byte[] tx = new byte[256];
    /** The read timeout last set on the connection, in ms; 0 before the first read. */
    private long readTimeoutMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private long nextContext = 1;
    private long session;
    private boolean closed;

    private CipClient(Target target, ClientOptions options, StreamConnection connection) {
        this.target = target;
        this.options = options;
        this.connection = connection;
        // The encapsulation length field (offset 2, UINT) frames the TCP stream.
        this.frames = new FrameReader(connection.in(), EncapsulationHeader.SIZE, FrameReader.BodyLength.u16LeAt(2),
                options.maxFrameSize());
        this.rx = new byte[options.maxFrameSize()];
        this.reader = WireReader.of(rx);
    }

    /** Connects without registering a session (enough for ListIdentity/ListServices). */
    public static CipClient open(Target target, ClientOptions options) throws IOException {
        StreamConnection c;
        if (target.secure()) {
            TlsConnector tls = options.tls().orElseThrow(() -> new IOException("target " + target
                    + " is CIP Security (TLS on " + target.port() + "): give TLS credentials (ClientOptions.withTls)"));
            c = tls.connect(new InetSocketAddress(target.host(), target.port()), options.connectTimeout());
        } else {
            c = TcpConnector.connect(target.host(), target.port(), options.connectTimeout());
        }
        return new CipClient(target, options, c);
    }

    /** Connects and registers an encapsulation session. */
    public static CipClient connect(Target target, ClientOptions options) throws IOException {
        CipClient c = open(target, options);
        try {
            c.registerSession();
            return c;
        } catch (IOException | RuntimeException e) {
            c.connection.close();
            throw e;
        }
    }

    public static CipClient connect(String target) throws IOException {
        return connect(Target.parse(target), ClientOptions.defaults());
    }

    public Target target() {
        return target;
    }

    /** What the TLS handshake negotiated, for a secure target; empty for plain EtherNet/IP. */
    public java.util.Optional<dev.cipsec.transport.tls.TlsSessionInfo> tlsSession() {
        return connection instanceof dev.cipsec.transport.tls.TlsStreamConnection t
                ? java.util.Optional.of(t.info()) : java.util.Optional.empty();
    }

    public ClientOptions options() {
        return options;
    }

    /** The target's end of the TCP connection: I/O connections send O->T datagrams to its address. */
    public InetSocketAddress peerAddress() {
        return connection.peer();
    }

    /** This end of the TCP connection. */
    public InetSocketAddress localAddress() {
        return connection.local();
    }

    /** The session handle the target assigned, 0 before RegisterSession. */
    public long sessionHandle() {
        return session;
    }

    /** RegisterSession (protocol version 1). */
    public void registerSession() throws IOException {
        EncapsulationPacket reply = exchange(EncapsulationCommand.REGISTER_SESSION, 0,
                new RegisterSessionData(1, 0).toBytes(), true);
        if (reply.header().sessionHandle() == 0) {
            throw new IOException("target " + target + " registered session handle 0");
        }
        session = reply.header().sessionHandle();
        LOG.debug("registered session 0x{} with {}", Long.toHexString(session), target);
    }

    /** ListIdentity over this TCP connection. */
    public ListIdentityResult listIdentity() throws IOException {
        lock.lock();
        try {
            EncapsulationPacket reply = exchange(EncapsulationCommand.LIST_IDENTITY, 0, Bytes.EMPTY, true);
            int missing = ListIdentityResult.missingItems(reply.data());
            if (missing > 0) {
                return recoverShortListIdentity(reply, missing);
            }
            return ListIdentityResult.from(target.host(), reply, false, reply.header().length());
        } finally {
            lock.unlock();
        }
    }

    /**
     * A ListIdentity reply whose length field ends exactly after a whole item but whose item count
     * promises more: the OpENer CIP Security build leaves its security item out of the length. The
     * missing items are still on the stream and would be read as the next frame, so they are read
     * here (each bounded to {@link #MAX_RECOVERED_ITEM} bytes) and the reply is reported as
     * non-conforming. If they do not arrive promptly the stream cannot be trusted and is closed.
     */
    private ListIdentityResult recoverShortListIdentity(EncapsulationPacket reply, int missing) throws IOException {
        byte[] data = reply.data().toArray();
        int declared = reply.header().length();
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        all.write(data, 0, data.length);
        try {
            connection.setReadTimeout(Duration.ofMillis(RECOVERY_WAIT_MILLIS));
            readTimeoutMillis = -1;
            for (int i = 0; i < missing; i++) {
                byte[] head = connection.in().readNBytes(4);
                int length = head.length == 4 ? (head[2] & 0xFF) | (head[3] & 0xFF) << 8 : -1;
                if (length < 0 || length > MAX_RECOVERED_ITEM) {
                    throw new IOException("no whole item after the short ListIdentity reply");
                }
                byte[] body = connection.in().readNBytes(length);
                if (body.length != length) {
                    throw new IOException("stream ended inside the item after the short ListIdentity reply");
                }
                all.write(head, 0, 4);
                all.write(body, 0, length);
            }
        } catch (IOException e) {
            LOG.debug("closing {}: ListIdentity reply length field was short and the rest did not follow: {}", target, e.toString());
            close();
            return ListIdentityResult.from(target.host(), reply, false, declared);
        }
        Bytes repaired = Bytes.of(all.toByteArray());
        EncapsulationHeader h = reply.header();
        EncapsulationPacket whole = new EncapsulationPacket(new EncapsulationHeader(h.command(), repaired.length(), h.sessionHandle(),
                h.status(), h.senderContext(), h.options()), repaired);
        return ListIdentityResult.from(target.host(), whole, true, declared);
    }

    /** ListServices over this TCP connection. */
    public List<ListServicesItem> listServices() throws IOException {
        EncapsulationPacket reply = exchange(EncapsulationCommand.LIST_SERVICES, 0, Bytes.EMPTY, true);
        CpfPacket cpf = decodeCpf(reply.data());
        return cpf.items().stream().filter(ListServicesItem.class::isInstance).map(ListServicesItem.class::cast).toList();
    }

    /**
     * Sends one unconnected request (SendRRData) and returns the reply, whatever its status. The
     * request is encoded straight into a reused buffer and a reply in the canonical form is read in
     * place; only the returned response is allocated for it.
     */
    public MessageRouterResponse send(MessageRouterRequest request) throws IOException {
        return send(request, request.service());
    }

    /** {@code answeredBy}: the other reply service accepted (Unconnected_Send is answered by its embedded reply). */
    private MessageRouterResponse send(MessageRouterRequest request, int answeredBy) throws IOException {
        requireSession();
        int mrLength = request.encodedLength();
        int dataLength = RrData.UNCONNECTED_OVERHEAD + mrLength;
        if (dataLength > 0xFFFF) {
            throw new IllegalArgumentException("encapsulation data longer than 65535 bytes: " + dataLength);
        }
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        lock.lock();
        try {
            long context = nextContext++;
            ensureOpen();
            byte[] buf = txBuffer(EncapsulationHeader.SIZE + dataLength);
            WireWriter w = WireWriter.into(buf, 0);
            EncapsulationHeader.encode(w, EncapsulationCommand.SEND_RR_DATA, dataLength, session, EncapsulationStatus.SUCCESS,
                    context);
            RrData.encodeUnconnectedPrefix(w, timeoutSeconds(), mrLength);
            request.encode(w);
            OutputStream os = connection.out();
            os.write(buf, 0, w.position());
            os.flush();
            EncapsulationHeader h = awaitReply(EncapsulationCommand.SEND_RR_DATA, context, deadline);
            MessageRouterResponse response = decodeUnconnectedReply(h.length());
            if (response.service() != request.service() && response.service() != answeredBy) {
                throw new IOException(String.format("reply service 0x%02X does not answer request service 0x%02X",
                        response.service(), request.service()));
            }
            return response;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A Message Router reply with the CPF items that came after its Unconnected Data item.
     *
     * @param extraItems the reply's items other than the Null Address and Unconnected Data items, in order
     */
    public record ItemsReply(MessageRouterResponse response, List<CpfItem> extraItems) {
        public ItemsReply {
            Objects.requireNonNull(response, "response");
            extraItems = List.copyOf(extraItems);
        }
    }

    /**
     * Sends one unconnected request with {@code extraItems} after the Unconnected Data item (e.g.
     * the Sockaddr Info items of a Forward_Open for I/O) and returns the reply with the items the
     * target added. This is the slow path: it builds the CPF list as records; {@link #send} stays
     * the allocation-light path for plain requests.
     */
    public ItemsReply sendWithItems(MessageRouterRequest request, List<? extends CpfItem> extraItems) throws IOException {
        requireSession();
        List<CpfItem> items = new ArrayList<>(2 + extraItems.size());
        items.add(NullAddressItem.INSTANCE);
        items.add(new UnconnectedDataItem(request.toBytes()));
        items.addAll(extraItems);
        RrData rr = new RrData(RrData.CIP_INTERFACE, timeoutSeconds(), new CpfPacket(items));
        if (rr.encodedLength() > 0xFFFF) {
            throw new IllegalArgumentException("encapsulation data longer than 65535 bytes: " + rr.encodedLength());
        }
        EncapsulationPacket reply = exchange(EncapsulationCommand.SEND_RR_DATA, session, rr.toBytes(), true);
        try {
            CpfPacket cpf = RrData.decode(WireReader.of(reply.data().toArray())).cpf();
            UnconnectedDataItem data = cpf.first(UnconnectedDataItem.class)
                    .orElseThrow(() -> new IOException("SendRRData reply from " + target + " has no unconnected data item"));
            MessageRouterResponse response = MessageRouterResponse.decode(WireReader.of(data.data().toArray()));
            if (response.service() != request.service()) {
                throw new IOException(String.format("reply service 0x%02X does not answer request service 0x%02X",
                        response.service(), request.service()));
            }
            List<CpfItem> extra = new ArrayList<>();
            for (CpfItem item : cpf.items()) {
                if (!(item instanceof NullAddressItem) && item != data) {
                    extra.add(item);
                }
            }
            return new ItemsReply(response, extra);
        } catch (WireFormatException e) {
            throw new IOException("malformed SendRRData reply from " + target + ": " + e.getMessage(), e);
        }
    }

    /** The Message Router response in the SendRRData reply data at {@code rx[24, 24 + length)}. */
    private MessageRouterResponse decodeUnconnectedReply(int length) throws IOException {
        try {
            WireReader mr = RrData.unconnectedData(reader.reset(EncapsulationHeader.SIZE, length), CpfPacket.DEFAULT_MAX_ITEMS);
            if (mr == null) {
                RrData got = RrData.decode(WireReader.of(rx, EncapsulationHeader.SIZE, length));
                UnconnectedDataItem item = got.cpf().first(UnconnectedDataItem.class)
                        .orElseThrow(() -> new IOException("SendRRData reply from " + target + " has no unconnected data item"));
                mr = WireReader.of(item.data().toArray());
            }
            return MessageRouterResponse.decode(mr);
        } catch (WireFormatException e) {
            throw new IOException("malformed SendRRData reply from " + target + ": " + e.getMessage(), e);
        }
    }

    private byte[] txBuffer(int size) {
        if (tx.length < size) {
            tx = new byte[Math.max(size, 2 * tx.length)];
        }
        return tx;
    }

    /**
     * Sends {@code request} wrapped in Unconnected_Send with {@code routePath} (e.g. port 1 slot 0
     * for the backplane), as a bridge or a controller chassis expects.
     */
    public MessageRouterResponse sendRouted(MessageRouterRequest request, EPath routePath) throws IOException {
        UnconnectedSendRequest us = new UnconnectedSendRequest(0x0A, 0x0E, request, routePath);
        MessageRouterResponse r = send(us.toRequest(), request.service());
        if (r.service() == ServiceCodes.UNCONNECTED_SEND && !r.isSuccess()) {
            return new MessageRouterResponse(request.service(), r.generalStatus(), r.additionalStatus(), r.data());
        }
        return r;
    }

    /** Get_Attribute_Single; throws {@link CipServiceException} when the target refuses. */
    public Bytes getAttributeSingle(EPath path) throws IOException, CipServiceException {
        return checked(send(new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, path)));
    }

    /** Set_Attribute_Single; throws {@link CipServiceException} when the target refuses. */
    public void setAttributeSingle(EPath path, Bytes value) throws IOException, CipServiceException {
        checked(send(new MessageRouterRequest(ServiceCodes.SET_ATTRIBUTE_SINGLE, path, value)));
    }

    /** Get_Attributes_All; throws {@link CipServiceException} when the target refuses. */
    public Bytes getAttributesAll(EPath path) throws IOException, CipServiceException {
        return checked(send(new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTES_ALL, path)));
    }

    /** The target's Identity object, read with Get_Attributes_All. */
    public IdentityInfo identity() throws IOException, CipServiceException {
        Bytes all = getAttributesAll(EPath.classInstance(0x01, 1));
        try {
            return IdentityInfo.decodeGetAttributesAll(all);
        } catch (WireFormatException e) {
            throw new IOException("malformed Identity reply from " + target + ": " + e.getMessage(), e);
        }
    }

    /** Opens a class 3 connection to the Message Router for connected explicit messaging. */
    public ExplicitConnection openExplicitConnection() throws IOException, CipServiceException {
        return ExplicitConnection.open(this, ExplicitConnection.Settings.defaults());
    }

    public ExplicitConnection openExplicitConnection(ExplicitConnection.Settings settings) throws IOException, CipServiceException {
        return ExplicitConnection.open(this, settings);
    }

    static Bytes checked(MessageRouterResponse r) throws CipServiceException {
        if (!r.isSuccess()) {
            int[] add = r.additionalStatus().stream().mapToInt(Integer::intValue).toArray();
            throw new CipServiceException(r.generalStatus(), ServiceCodes.describe(r.service()), add);
        }
        return r.data();
    }

    /** Sends a SendUnitData and waits for the SendUnitData that answers it (matched by {@code matcher}). */
    CpfPacket exchangeUnitData(CpfPacket request, UnitDataMatcher matcher) throws IOException {
        requireSession();
        RrData rr = new RrData(0, 0, request);
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        lock.lock();
        try {
            write(EncapsulationPacket.of(EncapsulationCommand.SEND_UNIT_DATA, session, 0, 0, rr.toBytes()));
            while (true) {
                EncapsulationPacket p = readPacket(deadline);
                if (p.header().command() != EncapsulationCommand.SEND_UNIT_DATA) {
                    LOG.debug("ignoring {} while waiting for connected data", EncapsulationCommand.describe(p.header().command()));
                    continue;
                }
                if (p.header().status() != EncapsulationStatus.SUCCESS) {
                    throw new EncapsulationException(p.header().command(), p.header().status());
                }
                CpfPacket cpf = RrData.decode(WireReader.of(p.data().toArray())).cpf();
                if (matcher.matches(cpf)) {
                    return cpf;
                }
            }
        } catch (WireFormatException e) {
            throw new IOException("malformed SendUnitData from " + target + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    interface UnitDataMatcher {
        boolean matches(CpfPacket cpf) throws WireFormatException;
    }

    private EncapsulationPacket exchange(int command, long sessionHandle, Bytes data, boolean expectReply) throws IOException {
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        lock.lock();
        try {
            long context = nextContext++;
            write(EncapsulationPacket.of(command, sessionHandle, 0, context, data));
            if (!expectReply) {
                return null;
            }
            EncapsulationHeader h = awaitReply(command, context, deadline);
            return new EncapsulationPacket(h, Bytes.copyOf(rx, EncapsulationHeader.SIZE, h.length()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads until the successful reply to {@code command} with {@code context}; returns its header,
     * its data is in {@code rx} after the header. Call with the lock held.
     */
    private EncapsulationHeader awaitReply(int command, long context, long deadline) throws IOException {
        while (true) {
            EncapsulationHeader h = readHeader(deadline);
            if (h.command() != command || h.senderContext() != context) {
                // A late reply to an earlier, timed-out request: skip it.
                LOG.debug("skipping {} with context {} while waiting for {}", EncapsulationCommand.describe(h.command()),
                        h.senderContext(), context);
                continue;
            }
            if (h.status() != EncapsulationStatus.SUCCESS) {
                throw new EncapsulationException(command, h.status());
            }
            return h;
        }
    }

    private void write(EncapsulationPacket p) throws IOException {
        ensureOpen();
        byte[] out = p.toBytes().toArray();
        OutputStream os = connection.out();
        os.write(out);
        os.flush();
    }

    private EncapsulationPacket readPacket(long deadlineNanos) throws IOException {
        EncapsulationHeader h = readHeader(deadlineNanos);
        return new EncapsulationPacket(h, Bytes.copyOf(rx, EncapsulationHeader.SIZE, h.length()));
    }

    /** Reads one frame into {@code rx} and decodes its header; the data follows it in {@code rx}. */
    private EncapsulationHeader readHeader(long deadlineNanos) throws IOException {
        ensureOpen();
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("no reply from " + target + " within " + options.requestTimeout());
        }
        // Whole milliseconds, rounded up as SO_TIMEOUT is; set only when it changes, since the remaining
        // time rounds to the same value for nearly every request and setting a socket option is not free.
        long millis = Math.max(1, (left + 999_999) / 1_000_000);
        if (millis != readTimeoutMillis) {
            connection.setReadTimeout(Duration.ofMillis(millis));
            readTimeoutMillis = millis;
        }
        int n;
        try {
            n = frames.readFrame(rx);
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("no reply from " + target + " within " + options.requestTimeout());
        } catch (InterruptedIOException e) {
            throw e;
        }
        if (n < 0) {
            closed = true;
            throw new IOException("connection closed by " + target);
        }
        try {
            return EncapsulationPacket.decodeHeader(reader.reset(0, n));
        } catch (WireFormatException e) {
            // Framing is intact (FrameReader used the length field) but the packet is not: give up on the stream.
            close();
            throw new IOException("malformed encapsulation frame from " + target + ": " + e.getMessage(), e);
        }
    }

    private CpfPacket decodeCpf(Bytes data) throws IOException {
        try {
            return CpfPacket.decode(WireReader.of(data.toArray()));
        } catch (WireFormatException e) {
            throw new IOException("malformed CPF from " + target + ": " + e.getMessage(), e);
        }
    }

    private int timeoutSeconds() {
        return (int) Math.min(0xFFFF, Math.max(1, options.requestTimeout().toSeconds()));
    }

    private void requireSession() throws IOException {
        if (session == 0) {
            throw new IOException("no session registered with " + target);
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("client for " + target + " is closed");
        }
    }

    /** UnRegisterSession (no reply expected) and close the connection. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (session != 0) {
                try {
                    exchange(EncapsulationCommand.UNREGISTER_SESSION, session, Bytes.EMPTY, false);
                } catch (IOException e) {
                    LOG.debug("UnRegisterSession to {} failed: {}", target, e.toString());
                }
            }
            closed = true;
            connection.close();
        } finally {
            lock.unlock();
        }
    }
}
