package dev.cipsec.scanner;

import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cpf.CpfItem;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Unconnected explicit messaging (UCMM) to one target, whatever carries it: an encapsulation
 * session over TCP or TLS ({@link CipClient}), or a DTLS session on UDP 2221
 * ({@code dev.cipsec.scanner.io.DtlsTarget}, item 0x8003). I/O connections send their
 * Forward_Open and Forward_Close through one of these.
 */
public interface UcmmChannel {

    Target target();

    ClientOptions options();

    /** The target's address as this channel reaches it. */
    InetSocketAddress peerAddress();

    /** This end's address towards the target. */
    InetSocketAddress localAddress();

    /** One request, its reply; a timeout or a dead channel is an {@link IOException}. */
    MessageRouterResponse send(MessageRouterRequest request) throws IOException;

    /**
     * One request with CPF items after the one that carries it (e.g. Sockaddr Info items of a
     * Forward_Open), and the reply with the items the target added.
     */
    CipClient.ItemsReply sendWithItems(MessageRouterRequest request, List<? extends CpfItem> extraItems)
            throws IOException;
}
