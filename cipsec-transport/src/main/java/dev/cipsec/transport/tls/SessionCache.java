package dev.cipsec.transport.tls;

import org.bouncycastle.tls.TlsSession;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded LRU of resumable sessions: the server's by session id, the client's by peer. Bounded
 * because a peer can open sessions at will; evicted sessions are invalidated so their secrets go.
 */
final class SessionCache<K> {
    private final int capacity;
    private final LinkedHashMap<K, TlsSession> map;

    SessionCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true);
    }

    synchronized TlsSession get(K key) {
        TlsSession s = map.get(key);
        if (s != null && !s.isResumable()) {
            map.remove(key);
            return null;
        }
        return s;
    }

    synchronized void put(K key, TlsSession session) {
        if (capacity == 0 || session == null || !session.isResumable()) {
            return;
        }
        map.put(key, session);
        if (map.size() > capacity) {
            Map.Entry<K, TlsSession> eldest = map.entrySet().iterator().next();
            map.remove(eldest.getKey());
            eldest.getValue().invalidate();
        }
    }

    synchronized void remove(K key) {
        TlsSession s = map.remove(key);
        if (s != null) {
            s.invalidate();
        }
    }

    synchronized int size() {
        return map.size();
    }
}
