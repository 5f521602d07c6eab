package dev.cipsec.scanner.probe;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.scanner.probe.ProbeReport.SuiteResult;
import dev.cipsec.scanner.probe.ProbeReport.TransportReport;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.OpenSslProcess;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cpf.CipSecurityItem;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our own adapter with TLS and DTLS, certificates and a PSK: the probe's TLS certificate suites and
 * versions must be what {@code nmap --script ssl-enum-ciphers} finds (a scanner nobody here wrote),
 * and the probe goes further: the PSK suites with their own names, DTLS, and ListIdentity's 0x86 item.
 */
class AdapterNmapProbeTest {
    static final PskCredential PSK = PskCredential.of("probe-cell", Bytes.fromHex("00112233445566778899aabbccddeeff"));

    @Test
    void theProbeAgreesWithNmapOnTlsAndGoesBeyondIt() throws Exception {
        TlsPolicy policy = TlsPolicy.builder().allSuites()
                .identity(OpenSslTlsProbeTest.PKI.issueServer(KeyType.EC_P256, "probe-adapter")).psk(PSK).build();
        try (CipDevice device = CipDevice.start(DeviceProfile.defaults()
                .withSecurity(SecuritySettings.tls(policy).withDtlsPort(0)).onEphemeralPorts())) {
            ProbeOptions options = ProbeOptions.defaults("127.0.0.1").withPorts(device.tlsAddress().getPort(),
                    device.dtlsAddress().getPort(), device.udpAddress().getPort()).withTimeout(Duration.ofSeconds(2));
            ProbeReport report = Probe.run(options);
            Map<String, List<String>> nmap = nmap(device.tlsAddress().getPort());

            TransportReport tls = report.tls().orElseThrow();
            assertThat(tls.accepted()).extracting(ProbeReport.VersionResult::version).containsExactlyElementsOf(nmap.keySet());
            List<String> probed = tls.version("TLSv1.2").orElseThrow().suites().stream().map(SuiteResult::name).toList();
            // nmap lists the PSK suites too (it reads the ServerHello); the probe names the same set.
            assertThat(probed).containsExactlyInAnyOrderElementsOf(nmap.get("TLSv1.2"));
            assertThat(probed).containsExactlyInAnyOrderElementsOf(policy.serverSuites().stream().map(CipherSuite::name).toList());
            assertThat(probed).contains("TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_NULL_SHA");

            TransportReport dtls = report.dtls().orElseThrow();
            assertThat(dtls.accepted()).extracting(ProbeReport.VersionResult::version).containsExactly("DTLSv1.2");
            assertThat(dtls.version("DTLSv1.2").orElseThrow().suites()).extracting(SuiteResult::name)
                    .containsExactlyInAnyOrderElementsOf(probed);
            assertThat(dtls.certificates()).isNotEmpty();

            CipSecurityItem item = report.listIdentity().orElseThrow().reply().orElseThrow().security().orElseThrow();
            assertThat(item.isPortOpen(CipSecurityItem.PORT_TCP_2221)).isTrue();
            assertThat(report.findings()).extracting(Finding::code).contains(Finding.Code.NULL_SUITES);
        }
    }

    /** nmap's XML output: protocol version to the IANA names it lists. */
    static Map<String, List<String>> nmap(int port) throws Exception {
        List<String> lines;
        try (OpenSslProcess nmap = OpenSslProcess.startTool("nmap", "-Pn", "-n", "-sT", "-p", Integer.toString(port),
                "--script", "+ssl-enum-ciphers", "-oX", "-", "127.0.0.1")) {
            assertThat(nmap.waitFor(Duration.ofMinutes(2))).isZero();
            lines = nmap.output();
        }
        String xml = String.join("\n", lines);
        xml = xml.substring(xml.indexOf("<?xml"));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Map<String, List<String>> found = new LinkedHashMap<>();
        NodeList scripts = doc.getElementsByTagName("script");
        for (int i = 0; i < scripts.getLength(); i++) {
            Element script = (Element) scripts.item(i);
            if (!script.getAttribute("id").equals("ssl-enum-ciphers")) {
                continue;
            }
            for (Element version : children(script, "table")) {
                List<String> names = new ArrayList<>();
                for (Element t : children(version, "table")) {
                    if (t.getAttribute("key").equals("ciphers")) {
                        for (Element cipher : children(t, "table")) {
                            for (Element e : children(cipher, "elem")) {
                                if (e.getAttribute("key").equals("name")) {
                                    names.add(e.getTextContent().trim());
                                }
                            }
                        }
                    }
                }
                found.put(version.getAttribute("key"), names);
            }
        }
        assertThat(found).as("ssl-enum-ciphers in\n" + xml).isNotEmpty();
        return found;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }
}
