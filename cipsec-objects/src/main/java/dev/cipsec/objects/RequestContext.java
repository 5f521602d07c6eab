package dev.cipsec.objects;

import dev.cipsec.wire.cpf.SockaddrItem;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a request came from: the peer, whether it arrived over a secure (TLS/DTLS) transport,
 * the encapsulation session and, for class 3, the connection. Object handlers use it for privilege
 * checks (e.g. the security objects accept configuration only over TLS).
 *
 * <p>{@link #afterReply} carries work that must happen only once the reply is on its way, such as
 * an Identity Reset: the transport runs {@link AfterReply#runAll()} after writing the reply.
 *
 * @param peer           remote address
 * @param secure         true when the request came over TLS or DTLS
 * @param sessionHandle  encapsulation session handle (0 when there is none, e.g. UDP)
 * @param connectionId   O→T connection id of a class 3 connection, or -1 for unconnected messages
 * @param peerIdentity   authenticated identity of the peer (certificate subject or PSK identity), "" if none
 * @param afterReply     actions to run after the reply has been sent
 * @param ioItems        Sockaddr Info items that came with the request's CPF and those the reply must carry
 *                       (class 0/1 Forward_Open, reference §1.5)
 */
public record RequestContext(InetSocketAddress peer, boolean secure, long sessionHandle, long connectionId,
                             String peerIdentity, AfterReply afterReply, IoItems ioItems) {

    public static final long UNCONNECTED = -1;

    public RequestContext {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(peerIdentity, "peerIdentity");
        Objects.requireNonNull(afterReply, "afterReply");
        Objects.requireNonNull(ioItems, "ioItems");
        if (sessionHandle < 0 || sessionHandle > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("session handle out of UDINT range: " + sessionHandle);
        }
        if (connectionId < UNCONNECTED || connectionId > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("connection id out of range: " + connectionId);
        }
    }

    /** A context whose request carried no Sockaddr Info items. */
    public RequestContext(InetSocketAddress peer, boolean secure, long sessionHandle, long connectionId,
                          String peerIdentity, AfterReply afterReply) {
        this(peer, secure, sessionHandle, connectionId, peerIdentity, afterReply, new IoItems(List.of()));
    }

    /** The same context with the request's Sockaddr Info items. */
    public RequestContext withIoItems(List<SockaddrItem> requestItems) {
        return new RequestContext(peer, secure, sessionHandle, connectionId, peerIdentity, afterReply, new IoItems(requestItems));
    }

    /** An unconnected request over plain TCP. */
    public static RequestContext plain(InetSocketAddress peer, long sessionHandle) {
        return new RequestContext(peer, false, sessionHandle, UNCONNECTED, "", new AfterReply());
    }

    /** An unconnected request over TLS from an authenticated peer. */
    public static RequestContext secure(InetSocketAddress peer, long sessionHandle, String peerIdentity) {
        return new RequestContext(peer, true, sessionHandle, UNCONNECTED, peerIdentity, new AfterReply());
    }

    /** A plain request from 127.0.0.1:50000 in session 1, for tests. */
    public static RequestContext forTest() {
        return plain(new InetSocketAddress(InetAddress.getLoopbackAddress(), 50000), 1);
    }

    /** Queues {@code action} to run after the reply was sent. */
    public void runAfterReply(Runnable action) {
        afterReply.add(action);
    }

    /**
     * Actions a service defers until its reply has left, in the order they were queued.
     * Thread-safe; each action runs at most once.
     */
    public static final class AfterReply {
        private final List<Runnable> actions = new ArrayList<>(0);

        public synchronized void add(Runnable action) {
            actions.add(Objects.requireNonNull(action, "action"));
        }

        public synchronized boolean isEmpty() {
            return actions.isEmpty();
        }

        /** Runs and forgets all queued actions; an action that throws does not stop the others. */
        public void runAll() {
            List<Runnable> queued;
            synchronized (this) {
                queued = List.copyOf(actions);
                actions.clear();
            }
            RuntimeException first = null;
            for (Runnable r : queued) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }

        @Override
        public synchronized String toString() {
            return "AfterReply[" + actions.size() + "]";
        }
    }

    /**
     * The Sockaddr Info items of a SendRRData request, and the ones the service adds to its reply
     * (the transport appends them after the Unconnected Data item). Thread-safe.
     */
    public static final class IoItems {
        private final List<SockaddrItem> request;
        private final List<SockaddrItem> reply = new ArrayList<>(0);

        public IoItems(List<SockaddrItem> request) {
            this.request = List.copyOf(request);
        }

        public List<SockaddrItem> request() {
            return request;
        }

        public synchronized void addReply(SockaddrItem item) {
            reply.add(Objects.requireNonNull(item, "item"));
        }

        public synchronized List<SockaddrItem> reply() {
            return List.copyOf(reply);
        }

        @Override
        public synchronized String toString() {
            return "IoItems[request=" + request + ", reply=" + reply + "]";
        }
    }
}
