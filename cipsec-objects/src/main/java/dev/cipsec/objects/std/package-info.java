/**
 * The standard objects an EtherNet/IP adapter needs (Identity, Message Router, Assembly,
 * Connection Manager, TCP/IP Interface, Ethernet Link) and {@link dev.cipsec.objects.std.StandardObjects},
 * which assembles them into a router.
 */
package dev.cipsec.objects.std;
