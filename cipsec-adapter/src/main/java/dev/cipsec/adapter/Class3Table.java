package dev.cipsec.adapter;

import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cm.ConnectionTriad;
import dev.cipsec.wire.cm.ExtendedStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The device's class 3 connections, bounded, by O→T connection id and by triad. */
final class Class3Table {
    private static final Logger LOG = LoggerFactory.getLogger(Class3Table.class);

    private final int max;
    private final ConcurrentHashMap<Long, Class3Connection> byOtId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ConnectionTriad, Class3Connection> byTriad = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    Class3Table(int max) {
        this.max = max;
    }

    /**
     * Adds a connection with a fresh O→T id.
     *
     * @throws CipServiceException 0x01/0x0100 for a triad already in use, 0x01/0x0113 when full
     */
    synchronized Class3Connection open(long toConnectionId, ConnectionTriad triad, long session, long timeoutNanos)
            throws CipServiceException {
        if (byTriad.containsKey(triad)) {
            throw new CipServiceException(GeneralStatus.CONNECTION_FAILURE, "connection in use", ExtendedStatus.CONNECTION_IN_USE);
        }
        if (byOtId.size() >= max) {
            throw new CipServiceException(GeneralStatus.CONNECTION_FAILURE, "out of connections", ExtendedStatus.OUT_OF_CONNECTIONS);
        }
        long ot;
        do {
            ot = random.nextInt() & 0xFFFF_FFFFL;
        } while (ot == 0 || byOtId.containsKey(ot));
        Class3Connection c = new Class3Connection(ot, toConnectionId, triad, session, timeoutNanos);
        byOtId.put(ot, c);
        byTriad.put(triad, c);
        return c;
    }

    Class3Connection byOtId(long id) {
        return byOtId.get(id);
    }

    synchronized Class3Connection close(ConnectionTriad triad) {
        Class3Connection c = byTriad.remove(triad);
        if (c != null) {
            byOtId.remove(c.otConnectionId());
        }
        return c;
    }

    /** Closes every connection of a session whose TCP connection went away. */
    synchronized void closeAllOf(long session) {
        if (session == 0) {
            return;
        }
        List<Class3Connection> gone = new ArrayList<>();
        for (Class3Connection c : byOtId.values()) {
            if (c.sessionHandle() == session) {
                gone.add(c);
            }
        }
        for (Class3Connection c : gone) {
            close(c.triad());
        }
    }

    /** Drops connections idle past their timeout; returns how many. */
    synchronized int expire(long now) {
        List<Class3Connection> gone = new ArrayList<>();
        for (Class3Connection c : byOtId.values()) {
            if (c.expired(now)) {
                gone.add(c);
            }
        }
        for (Class3Connection c : gone) {
            close(c.triad());
            LOG.debug("class 3 connection 0x{} timed out", Long.toHexString(c.otConnectionId()));
        }
        return gone.size();
    }

    int size() {
        return byOtId.size();
    }
}
