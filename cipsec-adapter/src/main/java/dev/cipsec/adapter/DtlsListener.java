package dev.cipsec.adapter;

import dev.cipsec.adapter.io.IoRuntime;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.transport.dtls.DtlsLimits;
import dev.cipsec.transport.dtls.DtlsServerPort;
import dev.cipsec.transport.io.DatagramReceiver;
import dev.cipsec.transport.io.DatagramTransport;
import dev.cipsec.transport.io.ReceiveCoalescing;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cpf.CpfItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.SequencedAddressItem;
import dev.cipsec.wire.cpf.UnconnectedMessageUdpItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * CIP Security on UDP 2221: DTLS sessions ({@link DtlsServerPort}) carrying bare CPF packets, class
 * 0/1 I/O in 0x8002 + 0x00B1 items to an {@link IoRuntime} of its own, and UCMM requests in item
 * 0x8003 (Forward_Open and Forward_Close for that runtime, any other explicit request to the Message
 * Router), answered in the same session with the request's transaction id.
 *
 * <p>A UCMM request is served on a virtual thread of its own, not on the DTLS port's receive path:
 * a slow service (an Apply_Config that fsyncs) must not hold up other sessions' I/O. At most
 * {@link #MAX_UCMM_IN_FLIGHT} run at once; more are dropped and counted, as a UDP server must when a
 * peer floods it (the originator retries on its own timeout).
 *
 * <p>UDP loses replies, and an originator repeats a request with the same transaction id when its
 * reply is late. Running a Forward_Open or an Apply_Config twice would be wrong (a duplicate
 * connection, a second apply), so the last {@link #REPLY_CACHE_SIZE} replies are kept for
 * {@link #REPLY_CACHE_TTL_NANOS} by peer address, peer identity and transaction id: a repetition gets
 * the cached reply again, and one that arrives while the first is still being served is dropped.
 * The identity is part of the key so that another authenticated peer behind the same address never
 * sees a reply meant for the first.
 */
final class DtlsListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsListener.class);
    private static final int CONNECTION_MANAGER = 0x06;
    static final int MAX_UCMM_IN_FLIGHT = 16;
    static final int REPLY_CACHE_SIZE = 256;
    static final long REPLY_CACHE_TTL_NANOS = 30_000_000_000L;
    private static final byte[] IN_PROGRESS = new byte[0];

    private record ReplyKey(InetSocketAddress peer, String identity, long transaction) {
    }

    private record CachedReply(byte[] reply, long storedNanos) {
    }

    private final java.util.LinkedHashMap<ReplyKey, CachedReply> replies =
            new java.util.LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<ReplyKey, CachedReply> eldest) {
                    return size() > REPLY_CACHE_SIZE;
                }
            };
    private final LongAdder ucmmRepeated = new LongAdder();

    private final DeviceRuntime runtime;
    private final ConnectionManagerServices cm;
    private volatile DtlsServerPort port;
    private IoRuntime io;
    private final LongAdder ucmmRequests = new LongAdder();
    private final LongAdder ucmmMalformed = new LongAdder();
    private final LongAdder ucmmBusy = new LongAdder();
    private final java.util.concurrent.Semaphore ucmmSlots = new java.util.concurrent.Semaphore(MAX_UCMM_IN_FLIGHT);

    private DtlsListener(DeviceRuntime runtime, ConnectionManagerServices cm) {
        this.runtime = runtime;
        this.cm = cm;
    }

    static DtlsListener start(DeviceRuntime runtime, ConnectionManagerServices cm, IoRuntime.Options options, TlsPolicy policy,
                              DtlsLimits limits, ReceiveCoalescing coalescing, Runnable timeoutCounter) throws IOException {
        DtlsListener l = new DtlsListener(runtime, cm);
        DatagramTransport transport = (bind, max, name, ioReceiver) -> {
            DtlsServerPort p = DtlsServerPort.open(bind, max, name, policy, limits,
                    (buf, off, len, from) -> l.datagram(buf, off, len, from, ioReceiver), coalescing);
            l.port = p;
            return p;
        };
        l.io = IoRuntime.start(options.withSessionPerPeer(), runtime.objects(), timeoutCounter, transport);
        return l;
    }

    IoRuntime io() {
        return io;
    }

    DtlsServerPort port() {
        return port;
    }

    InetSocketAddress localAddress() {
        return io.localAddress();
    }

    long ucmmRequests() {
        return ucmmRequests.sum();
    }

    long ucmmMalformed() {
        return ucmmMalformed.sum();
    }

    /** Repeated transaction ids: answered from the reply cache, or dropped while the first is served. */
    long ucmmRepeated() {
        return ucmmRepeated.sum();
    }

    /** UCMM requests dropped because {@link #MAX_UCMM_IN_FLIGHT} were already being served. */
    long ucmmBusy() {
        return ucmmBusy.sum();
    }

    DtlsListenerStats stats() {
        return new DtlsListenerStats(port.dtlsStats(), port.sessionCount(), port.handshakesInFlight(), ucmmRequests.sum(),
                ucmmRepeated.sum(), ucmmBusy.sum(), ucmmMalformed.sum(), io.stats());
    }

    void setPolicy(TlsPolicy policy) {
        port.setPolicy(policy);
    }

    /** I/O (the first item is a Sequenced Address) goes straight to the runtime, allocation-free; the rest is UCMM. */
    private void datagram(byte[] buf, int off, int len, InetSocketAddress from, DatagramReceiver ioReceiver) {
        if (len >= 4 && ((buf[off + 2] & 0xFF) | (buf[off + 3] & 0xFF) << 8) == SequencedAddressItem.TYPE_ID) {
            ioReceiver.datagram(buf, off, len, from);
            return;
        }
        CpfPacket cpf;
        try {
            cpf = CpfPacket.decode(WireReader.of(buf, off, len));
        } catch (WireFormatException e) {
            ucmmMalformed.increment();
            return;
        }
        UnconnectedMessageUdpItem item = cpf.first(UnconnectedMessageUdpItem.class).orElse(null);
        if (item == null || item.response()) {
            // Not UCMM: let the I/O path count it as whatever it is.
            ioReceiver.datagram(buf, off, len, from);
            return;
        }
        ucmmRequests.increment();
        ReplyKey key = new ReplyKey(from, peerIdentity(from), item.transactionId());
        long now = System.nanoTime();
        byte[] again;
        synchronized (replies) {
            CachedReply cached = replies.get(key);
            if (cached != null && now - cached.storedNanos() > REPLY_CACHE_TTL_NANOS) {
                replies.remove(key);
                cached = null;
            }
            if (cached == null) {
                if (!ucmmSlots.tryAcquire()) {
                    ucmmBusy.increment();
                    return;
                }
                replies.put(key, new CachedReply(IN_PROGRESS, now));
                again = null;
            } else {
                again = cached.reply();
            }
        }
        if (again != null) {
            ucmmRepeated.increment();
            if (again != IN_PROGRESS) {
                sendReply(again, from);
            }
            return;
        }
        Thread.ofVirtual().name("cipsec-dtls-ucmm").start(() -> {
            try {
                serve(cpf, item, from, key);
            } catch (RuntimeException e) {
                // No reply went out: let a repetition try again instead of being dropped as in progress.
                synchronized (replies) {
                    replies.remove(key);
                }
                LOG.warn("DTLS {}: UCMM request failed", from, e);
            } finally {
                ucmmSlots.release();
            }
        });
    }

    private void sendReply(byte[] reply, InetSocketAddress from) {
        try {
            port.send(reply, 0, reply.length, from);
        } catch (IOException | IllegalArgumentException e) {
            LOG.debug("DTLS {}: UCMM reply not sent: {}", from, e.toString());
        }
    }

    private void serve(CpfPacket cpf, UnconnectedMessageUdpItem item, InetSocketAddress from, ReplyKey key) {
        MessageRouterResponse response = handle(item.message(), from);
        List<CpfItem> items = new ArrayList<>(cpf.items().size());
        for (CpfItem i : cpf.items()) {
            items.add(i == item ? new UnconnectedMessageUdpItem(true, item.messageType(), item.transactionId(), 0,
                    response.toBytes()) : i);
        }
        byte[] reply = new CpfPacket(items).toBytes().toArray();
        synchronized (replies) {
            replies.put(key, new CachedReply(reply, System.nanoTime()));
        }
        sendReply(reply, from);
    }

    private MessageRouterResponse handle(Bytes mr, InetSocketAddress from) {
        RequestContext ctx = new RequestContext(from, true, 0, RequestContext.UNCONNECTED, peerIdentity(from),
                new RequestContext.AfterReply());
        MessageRouterRequest req;
        try {
            req = MessageRouterRequest.decode(WireReader.of(mr.toArray()));
        } catch (WireFormatException e) {
            return runtime.dispatch(mr, ctx);
        }
        MessageRouterResponse response;
        boolean toCm = req.path().classId() == CONNECTION_MANAGER && req.path().instanceId() == 1;
        try {
            if (toCm && (req.service() == ServiceCodes.FORWARD_OPEN || req.service() == ServiceCodes.LARGE_FORWARD_OPEN)) {
                response = cm.forwardOpen(req, ctx, io, true);
            } else if (toCm && req.service() == ServiceCodes.FORWARD_CLOSE) {
                response = cm.forwardClose(req, io);
            } else {
                response = runtime.dispatch(mr, ctx);
            }
        } catch (CipServiceException e) {
            response = MessageRouterResponse.error(req.service(), e.generalStatus(), e.additionalStatus());
        }
        try {
            ctx.afterReply().runAll();
        } catch (RuntimeException e) {
            LOG.warn("DTLS {}: after-reply action failed: {}", from, e.toString());
        }
        return response;
    }

    private String peerIdentity(InetSocketAddress from) {
        return port.session(from).map(info -> info.pskIdentity().orElseGet(() -> info.peerCertificates().isEmpty() ? ""
                : CredentialFiles.subject(info.peerCertificates().get(0)))).orElse("");
    }

    @Override
    public void close() {
        io.close();
    }
}
