package dev.cipsec.cli;

import java.nio.file.Path;

/**
 * The capture recipe the demo writes beside its key log: the exact commands, with this run's ports, that record
 * the demo's loopback traffic and open it decrypted in Wireshark or tshark.
 *
 * <p>Wireshark knows EtherNet/IP over TLS and I/O over DTLS only on port 2221 ({@code tls.port 2221 -> enip},
 * {@code dtls.port 2221 -> cipio}); the demo's ports are chosen at run time, so each command says with
 * {@code -d} which protocol runs where.
 */
final class DemoCapture {
    private DemoCapture() {
    }

    /** The tshark/Wireshark "decode as" options for a device's TLS and DTLS ports. */
    static String decodeAs(int tlsPort, int dtlsPort) {
        return "-d tcp.port==" + tlsPort + ",tls -d tls.port==" + tlsPort + ",enip"
                + " -d udp.port==" + dtlsPort + ",dtls -d dtls.port==" + dtlsPort + ",cipio";
    }

    static String captureFilter(int tlsPort, int dtlsPort) {
        return "tcp port " + tlsPort + " or udp port " + dtlsPort;
    }

    static String recipe(Path demoDir, int tlsPort, int dtlsPort, int plainTcpPort, int udpPort) {
        Path keys = demoDir.resolve("keys.log");
        Path pcap = demoDir.resolve("demo.pcap");
        String filter = captureFilter(tlsPort, dtlsPort);
        String decode = decodeAs(tlsPort, dtlsPort);
        return """
                # Capturing this demo run

                This run's device listened on loopback: TLS on tcp/%1$d, DTLS on udp/%2$d (plain EtherNet/IP on
                tcp/%3$d until commissioning closed it, ListIdentity on udp/%4$d). `keys.log` holds the NSS key log
                line (`CLIENT_RANDOM`) of every TLS and DTLS 1.2 handshake of the run, written by the device, so
                Wireshark can decrypt all of it: commissioning, the explicit reads, the PSK sessions and the class 1
                I/O. Anyone with that file can read the traffic it covers; it is a debugging aid.

                ## Record

                The ports are picked at run time; to record, run the demo again with fixed ports and capture them
                (as root, or with capture rights on `lo`):

                ```sh
                tcpdump -i lo -w %5$s '%6$s'
                # or: tshark -i lo -w %5$s -f '%6$s'
                ./cipsec demo --tls-port %1$d --dtls-port %2$d --dir NEW_DIR
                ```

                Stop the capture (Ctrl-C) when the demo has ended; the new run writes its own `keys.log` in
                NEW_DIR: use that one with the capture. `--tls-port 2221 --dtls-port 2221` lets Wireshark decode
                without the `-d` options below.

                ## Open

                ```sh
                wireshark -o tls.keylog_file:%7$s %8$s %5$s
                ```

                The same in the terminal, showing the decrypted CIP (explicit messages over TLS, the Forward_Open,
                I/O and Forward_Close over DTLS):

                ```sh
                tshark -r %5$s -o tls.keylog_file:%7$s %8$s -Y 'enip || cip || cipio'
                tshark -r %5$s -o tls.keylog_file:%7$s %8$s -Y cip -T fields -e frame.number -e enip.command -e cip.service -e cip.path
                ```

                DTLS uses the same key log: Wireshark's DTLS dissector reads the TLS preference
                `tls.keylog_file` (there is no separate DTLS one), and a DTLS 1.2 `CLIENT_RANDOM` line has the
                same form as a TLS 1.2 one.
                """.formatted(tlsPort, dtlsPort, plainTcpPort, udpPort, pcap, filter, keys, decode);
    }
}
