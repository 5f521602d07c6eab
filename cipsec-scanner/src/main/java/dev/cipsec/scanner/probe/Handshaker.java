package dev.cipsec.scanner.probe;

import org.bouncycastle.tls.ProtocolVersion;

import java.util.List;

/** One probing handshake over one transport; never throws for what the peer does. */
interface Handshaker {
    Outcome attempt(ProtocolVersion version, List<Integer> suites, ProbeClient.Stage stage);
}
