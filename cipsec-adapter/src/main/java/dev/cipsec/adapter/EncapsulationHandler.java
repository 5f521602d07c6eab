package dev.cipsec.adapter;

import dev.cipsec.objects.RequestContext;
import dev.cipsec.transport.FrameDeadlineException;
import dev.cipsec.transport.FrameReader;
import dev.cipsec.transport.FrameTooLargeException;
import dev.cipsec.transport.StreamConnection;
import dev.cipsec.transport.tcp.ConnectionHandler;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cpf.ConnectedAddressItem;
import dev.cipsec.wire.cpf.ConnectedDataItem;
import dev.cipsec.wire.cpf.CpfItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.SockaddrItem;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationHeader;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.EncapsulationStatus;
import dev.cipsec.wire.encap.RegisterSessionData;
import dev.cipsec.wire.encap.RrData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Serves the encapsulation protocol on one TCP (later TLS) connection: sessions, unconnected
 * explicit messaging (SendRRData) and class 3 connected messaging (SendUnitData).
 *
 * <p>Error handling follows reference §1.4: an unknown command is answered with status 0x0001 and
 * the connection stays usable; a wrong session handle gets 0x0064; an unsupported protocol
 * version 0x0069; data whose lengths disagree with the frame 0x0065, after which the connection is
 * closed because the peer's idea of the framing can no longer be trusted. A frame over the size
 * limit is not read at all: the connection is closed.
 */
final class EncapsulationHandler implements ConnectionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(EncapsulationHandler.class);

    /** How often connections waiting for their next frame are checked against the inactivity timeout. */
    static final long IDLE_SWEEP_MILLIS = 100;

    private final DeviceRuntime device;
    /**
     * Receive buffer a connection starts with: every request of the explicit-messaging services
     * fits (504 data bytes in the largest Unconnected_Send, plus headers), so an idle or ordinary
     * session holds 1 KiB rather than the 64 KiB of the largest frame.
     */
    static final int INITIAL_RX = 1024;

    /** Connections whose inactivity timeout the sweep enforces. */
    private final Set<Conn> live = ConcurrentHashMap.newKeySet();

    EncapsulationHandler(DeviceRuntime device) {
        this.device = device;
        device.scheduler().scheduleWithFixedDelay(this::sweepIdle, IDLE_SWEEP_MILLIS, IDLE_SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Closes connections that have waited longer than the inactivity timeout for a frame. The
     * wait between frames is an untimed read: on a virtual thread a timed read schedules and
     * cancels a timer on every blocking read, which cost more than half the request rate of a
     * raw echo (cipsec-bench RoundTripBench); this sweep costs one pass every 100 ms instead.
     */
    private void sweepIdle() {
        long idle = device.idleTimeout().toNanos();
        if (idle == 0) {
            return;
        }
        long now = System.nanoTime();
        for (Conn c : live) {
            c.expireIfIdle(now, idle);
        }
    }

    @Override
    public void handle(StreamConnection connection) throws IOException {
        AdapterLimits limits = device.limits();
        if (!device.reservePending(INITIAL_RX)) {
            device.stats().pendingBytesRejections.increment();
            LOG.debug("receive budget exhausted, closing {}", connection.peer());
            connection.close();
            return;
        }
        MDC.put("peer", String.valueOf(connection.peer()));
        device.track(connection);
        Conn c = new Conn(connection, limits);
        live.add(c);
        try {
            c.serve();
        } finally {
            live.remove(c);
            c.cleanup();
            device.untrack(connection);
            device.releasePending(c.rx.length);
            MDC.remove("peer");
            MDC.remove("session");
        }
    }

    private static String peerIdentity(StreamConnection c) {
        if (c instanceof dev.cipsec.transport.tls.TlsStreamConnection t) {
            var info = t.info();
            if (info.pskIdentity().isPresent()) {
                return info.pskIdentity().get();
            }
            if (!info.peerCertificates().isEmpty()) {
                return dev.cipsec.transport.tls.cert.CredentialFiles.subject(info.peerCertificates().get(0));
            }
        }
        return "";
    }

    /**
     * Per-connection state; touched only by the connection's own thread, except the two volatile
     * idle fields that the sweep reads and sets.
     */
    private final class Conn {
        private final StreamConnection connection;
        private final AdapterLimits limits;
        private final FrameReader frames;
        /** Starts at {@link #INITIAL_RX} and grows, within the device's receive budget, for larger frames. */
        private byte[] rx;
        /** Reused for every frame in {@code rx}. */
        private WireReader reader;
        /** Reply buffer of the SendRRData path, grown on demand. */
        private byte[] tx = new byte[512];
        private final OutputStream out;
        private long session;
        private boolean open = true;
        /** {@code System.nanoTime()} when the untimed wait for the next frame began, 0 when not waiting. */
        private volatile long waitingSince;
        /** Set by the sweep before it closes the connection for inactivity. */
        private volatile boolean idleExpired;
        /** Who the TLS handshake authenticated (PSK identity or certificate subject); "" over plain TCP. */
        private final String peerIdentity;

        Conn(StreamConnection connection, AdapterLimits limits) {
            this.connection = connection;
            this.peerIdentity = peerIdentity(connection);
            this.limits = limits;
            this.frames = new FrameReader(connection.in(), EncapsulationHeader.SIZE, FrameReader.BodyLength.u16LeAt(2),
                    limits.maxFrameSize());
            this.rx = new byte[Math.min(INITIAL_RX, limits.maxFrameSize())];
            this.reader = WireReader.of(rx);
            this.out = connection.out();
        }

        /**
         * A frame larger than the receive buffer: double it (at least to the frame, at most to the
         * maximum frame size) if the device's receive budget allows, else abandon the connection.
         * The buffer stays grown: a peer that sent one large frame will likely send more.
         */
        private byte[] growRx(byte[] current, int needed) throws IOException {
            int size = Math.min(limits.maxFrameSize(), Math.max(needed, 2 * current.length));
            if (!device.reservePending(size - current.length)) {
                device.stats().pendingBytesRejections.increment();
                throw new IOException("receive budget exhausted: no room for a frame of " + needed + " bytes");
            }
            byte[] bigger = java.util.Arrays.copyOf(current, size);
            rx = bigger;
            reader = WireReader.of(rx);
            return bigger;
        }

        void serve() throws IOException {
            while (open) {
                Duration idle = device.idleTimeout();
                if (!awaitFrame(idle)) {
                    return;
                }
                // Reads inside a frame keep the per-read timeout, under the frame deadline as before.
                connection.setReadTimeout(idle);
                int n;
                try {
                    n = frames.readFrame(rx, limits.frameTimeout(), this::growRx);
                } catch (FrameTooLargeException e) {
                    device.stats().oversizeFrames.increment();
                    LOG.debug("closing: frame of {} bytes over the limit {}", e.getMessage(), limits.maxFrameSize());
                    return;
                } catch (FrameDeadlineException e) {
                    device.stats().frameTimeouts.increment();
                    LOG.debug("closing: {}", e.getMessage());
                    return;
                } catch (SocketTimeoutException e) {
                    device.stats().idleTimeouts.increment();
                    LOG.debug("closing: no complete frame within the inactivity timeout {}", idle);
                    return;
                } catch (EOFException e) {
                    LOG.debug("closing: {}", e.getMessage());
                    return;
                }
                if (n < 0) {
                    return;
                }
                device.stats().framesIn.increment();
                WireReader r = reader.reset(0, n);
                EncapsulationHeader h;
                try {
                    h = EncapsulationPacket.decodeHeader(r);
                } catch (WireFormatException e) {
                    // Cannot happen for a frame cut by its own length field, but never trust that.
                    device.stats().invalidLengths.increment();
                    return;
                }
                dispatch(h, r);
            }
        }

        /**
         * Waits without a read timeout until the next frame's first byte is buffered (see
         * {@link #sweepIdle}); false when the connection ended meanwhile, by EOF or by inactivity.
         * Streams without mark/reset, and a disabled timeout, leave the wait to the frame read.
         */
        private boolean awaitFrame(Duration idle) throws IOException {
            InputStream in = connection.in();
            if (idle.isZero() || !in.markSupported()) {
                return true;
            }
            connection.setReadTimeout(Duration.ZERO);
            waitingSince = System.nanoTime() | 1;
            try {
                in.mark(1);
                if (in.read() < 0) {
                    return false;
                }
                in.reset();
                return true;
            } catch (IOException e) {
                if (idleExpired) {
                    device.stats().idleTimeouts.increment();
                    LOG.debug("closing: no complete frame within the inactivity timeout {}", idle);
                    return false;
                }
                throw e;
            } finally {
                waitingSince = 0;
            }
        }

        /** Called by the sweep thread. */
        void expireIfIdle(long now, long idleNanos) {
            long since = waitingSince;
            if (since != 0 && now - since > idleNanos) {
                idleExpired = true;
                connection.close();
            }
        }

        /** {@code data} is positioned at the frame's data, in {@code rx}. */
        private void dispatch(EncapsulationHeader h, WireReader data) throws IOException {
            if (h.options() != 0) {
                // The encapsulation spec says to discard such packets without a reply (OpENer does too).
                LOG.debug("discarding {} with non-zero options 0x{}", EncapsulationCommand.describe(h.command()),
                        Long.toHexString(h.options()));
                return;
            }
            switch (h.command()) {
                case EncapsulationCommand.NOP -> {
                }
                case EncapsulationCommand.LIST_IDENTITY -> reply(h, 0, EncapsulationStatus.SUCCESS, device.listIdentityData(connection.local()));
                case EncapsulationCommand.LIST_SERVICES -> reply(h, 0, EncapsulationStatus.SUCCESS, device.listServicesData());
                case EncapsulationCommand.LIST_INTERFACES -> reply(h, 0, EncapsulationStatus.SUCCESS, CpfPacket.of().toBytes());
                case EncapsulationCommand.REGISTER_SESSION -> registerSession(new EncapsulationPacket(h, data.rest()));
                case EncapsulationCommand.UNREGISTER_SESSION -> unregisterSession(h);
                case EncapsulationCommand.SEND_RR_DATA -> sendRrData(h, data);
                case EncapsulationCommand.SEND_UNIT_DATA -> sendUnitData(new EncapsulationPacket(h, data.rest()));
                default -> {
                    device.stats().unsupportedCommands.increment();
                    reply(h, h.sessionHandle(), EncapsulationStatus.INVALID_COMMAND, Bytes.EMPTY);
                }
            }
        }

        private void registerSession(EncapsulationPacket p) throws IOException {
            EncapsulationHeader h = p.header();
            if (h.length() != 4) {
                invalidLength(h, "RegisterSession data must be 4 bytes, got " + h.length());
                return;
            }
            RegisterSessionData req;
            try {
                req = RegisterSessionData.decode(WireReader.of(p.data().toArray()));
            } catch (WireFormatException e) {
                invalidLength(h, e.getMessage());
                return;
            }
            if (req.protocolVersion() != 1 || req.options() != 0) {
                device.stats().unsupportedVersions.increment();
                // OpENer answers with the version it does support, so the originator can retry.
                reply(h, 0, EncapsulationStatus.UNSUPPORTED_PROTOCOL_VERSION, new RegisterSessionData(1, 0).toBytes());
                return;
            }
            if (session != 0) {
                // One session per TCP connection: a second registration is a client bug, and the first stays.
                reply(h, session, EncapsulationStatus.INCORRECT_DATA, new RegisterSessionData(1, 0).toBytes());
                return;
            }
            long handle = device.sessions().register(this);
            if (handle == 0) {
                device.stats().sessionsRejectedFull.increment();
                reply(h, 0, EncapsulationStatus.INSUFFICIENT_MEMORY, new RegisterSessionData(1, 0).toBytes());
                return;
            }
            session = handle;
            device.stats().sessionsRegistered.increment();
            MDC.put("session", Long.toHexString(handle));
            LOG.debug("session 0x{} registered", Long.toHexString(handle));
            reply(h, handle, EncapsulationStatus.SUCCESS, new RegisterSessionData(1, 0).toBytes());
        }

        private void unregisterSession(EncapsulationHeader h) throws IOException {
            if (session == 0 || h.sessionHandle() != session) {
                wrongSession(h);
                return;
            }
            // No reply (reference §1.3): the target closes the connection, as OpENer does.
            LOG.debug("session 0x{} unregistered", Long.toHexString(session));
            open = false;
        }

        /**
         * The per-request path: the canonical request form is read in place from {@code rx} and the
         * reply encoded straight into {@code tx}; any other form goes through the general decoder,
         * which answers exactly what is wrong with it.
         */
        private void sendRrData(EncapsulationHeader h, WireReader data) throws IOException {
            if (session == 0 || h.sessionHandle() != session) {
                wrongSession(h);
                return;
            }
            int start = data.position();
            List<SockaddrItem> ioItems = List.of();
            WireReader mr;
            try {
                mr = RrData.unconnectedData(data, limits.maxCpfItems());
            } catch (WireFormatException e) {
                mr = null;
            }
            if (mr == null) {
                EncapsulationPacket p = new EncapsulationPacket(h, Bytes.copyOf(rx, start, h.length()));
                RrData rr = decodeRr(p);
                if (rr == null) {
                    return;
                }
                CpfPacket cpf = rr.cpf();
                if (rr.interfaceHandle() != RrData.CIP_INTERFACE || cpf.size() < 2
                        || !(cpf.get(0) instanceof NullAddressItem) || !(cpf.get(1) instanceof UnconnectedDataItem item)
                        || !onlySockaddrItemsAfter(cpf)) {
                    device.stats().malformedRequests.increment();
                    reply(h, session, EncapsulationStatus.INCORRECT_DATA, Bytes.EMPTY);
                    return;
                }
                mr = WireReader.of(item.data().toArray());
                if (cpf.size() > 2) {
                    // A class 0/1 Forward_Open names the originator's receive port this way (reference §1.5).
                    ioItems = cpf.all(SockaddrItem.class);
                }
            }
            device.stats().unconnectedRequests.increment();
            RequestContext ctx = new RequestContext(connection.peer(), connection.secure(), session,
                    RequestContext.UNCONNECTED, peerIdentity, new RequestContext.AfterReply());
            if (!ioItems.isEmpty()) {
                ctx = ctx.withIoItems(ioItems);
            }
            MessageRouterResponse response = device.dispatch(mr, ctx);
            List<SockaddrItem> replyItems = ctx.ioItems().reply();
            if (!replyItems.isEmpty()) {
                List<CpfItem> items = new ArrayList<>(2 + replyItems.size());
                items.add(NullAddressItem.INSTANCE);
                items.add(new UnconnectedDataItem(response.toBytes()));
                items.addAll(replyItems);
                reply(h, session, EncapsulationStatus.SUCCESS, new RrData(RrData.CIP_INTERFACE, 0, new CpfPacket(items)).toBytes());
                runAfterReply(ctx);
                return;
            }
            int mrLength = response.encodedLength();
            int dataLength = RrData.UNCONNECTED_OVERHEAD + mrLength;
            int total = EncapsulationHeader.SIZE + dataLength;
            if (tx.length < total) {
                tx = new byte[Math.max(total, 2 * tx.length)];
            }
            WireWriter w = WireWriter.into(tx, 0);
            EncapsulationHeader.encode(w, h.command(), dataLength, session, EncapsulationStatus.SUCCESS, h.senderContext());
            RrData.encodeUnconnectedPrefix(w, 0, mrLength);
            response.encode(w);
            out.write(tx, 0, total);
            out.flush();
            runAfterReply(ctx);
        }

        private static boolean onlySockaddrItemsAfter(CpfPacket cpf) {
            for (int i = 2; i < cpf.size(); i++) {
                if (!(cpf.get(i) instanceof SockaddrItem)) {
                    return false;
                }
            }
            return true;
        }

        private void sendUnitData(EncapsulationPacket p) throws IOException {
            EncapsulationHeader h = p.header();
            if (session == 0 || h.sessionHandle() != session) {
                wrongSession(h);
                return;
            }
            RrData rr = decodeRr(p);
            if (rr == null) {
                return;
            }
            CpfPacket cpf = rr.cpf();
            if (cpf.size() != 2 || !(cpf.get(0) instanceof ConnectedAddressItem addr)
                    || !(cpf.get(1) instanceof ConnectedDataItem data) || data.data().length() < 2) {
                device.stats().malformedRequests.increment();
                reply(h, session, EncapsulationStatus.INCORRECT_DATA, Bytes.EMPTY);
                return;
            }
            Class3Connection conn = device.class3().byOtId(addr.connectionId());
            if (conn == null || conn.sessionHandle() != session) {
                // SendUnitData has no error reply (reference §1.3); the originator's connection times out.
                device.stats().connectedUnknown.increment();
                LOG.debug("SendUnitData for unknown connection 0x{}", Long.toHexString(addr.connectionId()));
                return;
            }
            Bytes payload = data.data();
            int seq = payload.get(0) | payload.get(1) << 8;
            conn.touch();
            byte[] replyMr = conn.replayIfDuplicate(seq);
            RequestContext ctx = null;
            if (replyMr == null) {
                device.stats().connectedRequests.increment();
                ctx = new RequestContext(connection.peer(), connection.secure(), session, conn.otConnectionId(), peerIdentity,
                        new RequestContext.AfterReply());
                MessageRouterResponse response = device.dispatch(payload.slice(2, payload.length()), ctx);
                replyMr = response.toBytes().toArray();
                conn.remember(seq, replyMr);
            } else {
                device.stats().connectedDuplicates.increment();
            }
            WireWriter w = WireWriter.ofSize(2 + replyMr.length);
            w.u16(seq).bytes(replyMr, 0, replyMr.length);
            RrData answer = new RrData(RrData.CIP_INTERFACE, 0,
                    CpfPacket.of(new ConnectedAddressItem(conn.toConnectionId()), new ConnectedDataItem(Bytes.of(w.array()))));
            reply(h, session, EncapsulationStatus.SUCCESS, answer.toBytes());
            if (ctx != null) {
                runAfterReply(ctx);
            }
        }

        /** Decodes SendRRData/SendUnitData data, answering the failure itself; null when it did. */
        private RrData decodeRr(EncapsulationPacket p) throws IOException {
            try {
                return RrData.decode(WireReader.of(p.data().toArray()), limits.maxCpfItems());
            } catch (WireFormatException e) {
                device.stats().malformedRequests.increment();
                int status = e.reason().encapsulationStatus();
                if (status == EncapsulationStatus.INVALID_LENGTH) {
                    invalidLength(p.header(), e.getMessage());
                } else {
                    LOG.debug("incorrect {} data: {}", EncapsulationCommand.describe(p.header().command()), e.getMessage());
                    reply(p.header(), session, status, Bytes.EMPTY);
                }
                return null;
            }
        }

        private void invalidLength(EncapsulationHeader h, String why) throws IOException {
            device.stats().invalidLengths.increment();
            LOG.debug("invalid length in {}: {}; closing", EncapsulationCommand.describe(h.command()), why);
            reply(h, h.sessionHandle(), EncapsulationStatus.INVALID_LENGTH, Bytes.EMPTY);
            open = false;
        }

        private void wrongSession(EncapsulationHeader h) throws IOException {
            device.stats().invalidSessionHandles.increment();
            reply(h, h.sessionHandle(), EncapsulationStatus.INVALID_SESSION_HANDLE, Bytes.EMPTY);
        }

        private void reply(EncapsulationHeader request, long sessionHandle, long status, Bytes data) throws IOException {
            EncapsulationPacket p = EncapsulationPacket.of(request.command(), sessionHandle, status, request.senderContext(), data);
            WireWriter w = WireWriter.ofSize(p.encodedLength());
            p.encode(w);
            out.write(w.array());
            out.flush();
        }

        private void runAfterReply(RequestContext ctx) {
            try {
                ctx.afterReply().runAll();
            } catch (RuntimeException e) {
                LOG.warn("deferred action after reply failed", e);
            }
        }

        void cleanup() {
            device.class3().closeAllOf(session);
            device.sessions().unregister(session);
            connection.close();
        }
    }
}
