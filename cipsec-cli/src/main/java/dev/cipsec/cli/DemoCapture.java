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
        Path again = demoDir.resolveSibling(demoDir.getFileName() + "-captured");
        Path pcap = demoDir.resolve("demo.pcap");
        String filter = captureFilter(tlsPort, dtlsPort);
        String decode = decodeAs(tlsPort, dtlsPort);
        String open = "-o tls.keylog_file:" + again.resolve("keys.log") + " " + decode;
        return """
                # Capturing this demo run

                This run's device listened on loopback: TLS on tcp/%1$d, DTLS on udp/%2$d (plain EtherNet/IP on
                tcp/%3$d until commissioning closed it, ListIdentity on udp/%4$d). `%5$s` holds the NSS
                key log line (`CLIENT_RANDOM`) of every TLS and DTLS 1.2 handshake of the run, written by the device:
                commissioning, the explicit reads, the PSK session and the class 1 I/O. Anyone with that file can
                read the traffic it covers; it is a debugging aid. If you were capturing all of `lo` while this run
                went, that file decrypts it (use it in the commands below in place of the new run's).

                ## Record

                The ports were picked at run time, so record a new run on the same ports (as root, or with capture
                rights on `lo`), in one terminal:

                ```sh
                tcpdump -i lo -w %6$s '%7$s'
                # or: tshark -i lo -w %6$s -f '%7$s'
                ```

                and in another:

                ```sh
                ./cipsec demo --tls-port %1$d --dtls-port %2$d --dir %8$s
                ```

                then stop the capture (Ctrl-C) once the demo has ended. The new run writes its own key log,
                `%9$s`. With `--tls-port 2221 --dtls-port 2221` Wireshark decodes without the `-d` options.

                ## Open

                ```sh
                wireshark %10$s %6$s
                ```

                The same in the terminal, showing the decrypted CIP (explicit messages over TLS; the Forward_Open,
                the I/O and the Forward_Close over DTLS):

                ```sh
                tshark -r %6$s %10$s -Y 'enip || cip || cipio'
                tshark -r %6$s %10$s -Y cip -T fields -e frame.number -e enip.command -e cip.service -e cip.class -e cip.instance -e cip.attribute
                ```

                DTLS uses the same key log: Wireshark's DTLS dissector reads the TLS preference `tls.keylog_file`
                (there is no DTLS one), and a DTLS 1.2 `CLIENT_RANDOM` line has the same form as a TLS 1.2 one.
                """.formatted(tlsPort, dtlsPort, plainTcpPort, udpPort, keys, pcap, filter, again, again.resolve("keys.log"), open);
    }
}
