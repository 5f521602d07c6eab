package dev.cipsec.adapter.io;

import dev.cipsec.wire.cm.ConnectionTriad;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What the device agreed to in a class 0/1 Forward_Open.
 *
 * @param consumedPoint   O→T connection point (output assembly or heartbeat point)
 * @param producedPoint   T→O connection point (input assembly)
 * @param configPoint     configuration assembly, or 0 when the path named none
 * @param otApiMicros     the O→T interval the device expects
 * @param toApiMicros     the T→O interval the device produces at
 * @param toDestination   where T→O packets go (the originator, or the multicast group)
 * @param timeoutNanos    O→T inactivity timeout: O→T RPI × (4 &lt;&lt; multiplier)
 */
public record IoConnectionInfo(long otConnectionId, long toConnectionId, ConnectionTriad triad, ApplicationType type,
                               int transportClass, InetAddress originator, int configPoint, int consumedPoint,
                               int producedPoint, long otApiMicros, long toApiMicros, boolean multicast,
                               InetSocketAddress toDestination, long timeoutNanos) {
}
