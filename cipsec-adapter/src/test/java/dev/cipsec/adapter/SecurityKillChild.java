package dev.cipsec.adapter;

import dev.cipsec.objects.RequestContext;
import dev.cipsec.objects.file.FileInstanceInfo;
import dev.cipsec.objects.security.CertificateEntry;
import dev.cipsec.objects.security.EipSecurityConfig;
import dev.cipsec.objects.security.SecurityObjects;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.file.CreateFileRequest;
import dev.cipsec.wire.file.CreateFileResponse;
import dev.cipsec.wire.file.TransferPacket;
import dev.cipsec.wire.file.FileChecksum;
import dev.cipsec.wire.file.FileServices;
import dev.cipsec.wire.file.InitiateDownloadRequest;
import dev.cipsec.wire.file.InitiateDownloadResponse;
import dev.cipsec.wire.file.PacketType;
import dev.cipsec.wire.file.StringI;
import dev.cipsec.wire.security.CertificateReference;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.CsrRequest;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskEntry;
import dev.cipsec.wire.security.PskList;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

import java.io.StringReader;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.StringJoiner;

/**
 * The device process of {@link SecurityKillTest}: starts a secured device on a state directory, prints
 * {@code READY tcp=.. tls=..} and {@code RESTORED <digest>}, then drives the security objects through
 * a fixed cycle of configuration steps for ever, printing {@code C <digest>} after each committed step,
 * until it is killed. Each step is what a commissioning tool sends (through the device's Message Router,
 * as over TLS): Apply_Config A, certificate install (Create, Create_CSR, File Create, download,
 * attribute 3, Verify_Certificate), Apply_Config B with that certificate, Identity Reset type 1. Which
 * step comes next is read from the state, so a restarted child carries on wherever the last one died.
 */
public final class SecurityKillChild {
    static final Bytes PSK_KEY = Bytes.fromHex("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    static final int DTLS_A = 11;
    static final int DTLS_B = 13;

    private final CipDevice device;
    private final RequestContext ctx = RequestContext.secure(new InetSocketAddress(InetAddress.getLoopbackAddress(), 50000), 1, "tool");
    private final Identity ca = TestPki.selfSigned(KeyType.EC_P256, "kill-test CA");

    private SecurityKillChild(CipDevice device) {
        this.device = device;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        // Plain and TLS explicit messaging only: the I/O and discovery ports have no state to lose, and
        // every thread less shortens the restarts the test is made of.
        DeviceProfile p = DeviceProfile.defaults().onEphemeralPorts();
        CipDevice device = CipDevice.start(p.withBinding(p.bindAddress(), 0, -1).withIo(p.io().withPort(IoSettings.DISABLED))
                .withSecurity(SecuritySettings.tls(TlsPolicy.builder().build()).withTlsPort(0).withStateDirectory(dir)));
        System.out.println("READY tcp=" + device.tcpAddress().getPort() + " tls=" + device.tlsAddress().getPort());
        SecurityKillChild child = new SecurityKillChild(device);
        System.out.println("RESTORED " + digest(device.security()));
        System.out.flush();
        for (int i = 0; i < steps; i++) {
            child.step();
            System.out.println("C " + digest(device.security()));
            System.out.flush();
        }
        device.close();
        System.out.println("DONE");
    }

    /** What must survive a kill exactly: the objects' state and the File instances, without random bytes (keys, signatures). */
    static String digest(SecurityObjects s) {
        SecurityObjects.State st = s.state();
        EipSecurityConfig c = st.eipApplied();
        StringJoiner j = new StringJoiner(" ");
        j.add("cip=" + st.cipState() + "/" + st.cipConfiguredProfiles());
        j.add("eip=" + st.eipState() + "/" + st.pullModelEnabled() + "/" + st.pullModelStatus());
        j.add("suites=" + c.allowedSuites().toBytes().toHex());
        j.add("psks=" + c.psks().toBytes().toHex());
        j.add("active=" + c.activeCertificates().toBytes().toHex());
        j.add("dtls=" + c.dtlsTimeoutSeconds());
        new java.util.TreeMap<>(st.certificates()).forEach((id, e) -> j.add("cm" + id + "=" + e.name() + "/" + e.state() + "/" + e.device().toBytes().toHex()
                + "/" + e.ca().toBytes().toHex() + "/" + e.csrFile()));
        for (FileInstanceInfo f : s.files().instances()) {
            j.add("file" + f.id() + "=" + f.name() + "/" + f.encoding() + "/" + f.state() + "/" + f.readOnly()
                    + (f.readOnly() && f.id() <= 2 ? "/" + f.checksum() : ""));
        }
        return j.toString();
    }

    private void step() throws Exception {
        SecurityObjects s = device.security();
        EipSecurityConfig applied = s.eip().applied();
        CertificateEntry line = s.certificates().entry(2);
        if (applied.dtlsTimeoutSeconds() == DTLS_B) {
            MessageRouterResponse r = device.router().handle(new MessageRouterRequest(0x05, EPath.classInstance(1, 1),
                    Bytes.of((byte) 1)), ctx);
            ok(r);
            ctx.afterReply().runAll();
        } else if (applied.dtlsTimeoutSeconds() != DTLS_A) {
            apply(CipherSuiteList.of(0xC02B, 0xC037), PskList.of(new PskEntry(Bytes.of("cell".getBytes()), PSK_KEY)), null, DTLS_A);
        } else if (line == null) {
            ok(call(0x08, EPath.classInstance(0x5F, 0), Bytes.fromHex("044c696e65")));
        } else if (line.state() == CertificateEntry.CREATED) {
            ok(call(0x4B, EPath.classInstance(0x5F, 2), new CsrRequest("line-plc", "", "", "", "", "DE", "", "", "").toBytes()));
        } else if (line.state() == CertificateEntry.CONFIGURING && line.device().path().segments().isEmpty()) {
            FileInstanceInfo target = s.files().instances().stream().filter(f -> f.name().equals("device.pem")).findFirst().orElse(null);
            if (target == null) {
                ok(call(0x08, EPath.classInstance(0x37, 0), CreateFileRequest.of("device.pem", 2).toBytes()));
            } else if (target.state() != 2) {
                download(target.id(), signedCertificate(s.files().contents(line.csrFile().orElseThrow()).orElseThrow()));
            } else {
                ok(call(0x10, EPath.classInstanceAttribute(0x5F, 2, 3),
                        new CertificateReference(0, EPath.classInstance(0x37, target.id())).toBytes()));
            }
        } else if (line.state() == CertificateEntry.CONFIGURING) {
            ok(call(0x4C, EPath.classInstance(0x5F, 2), Bytes.fromHex("0100")));
        } else {
            apply(CipherSuiteList.of(0xC02B), null, EPathList.of(EPath.classInstance(0x5F, 2)), DTLS_B);
        }
    }

    private void apply(CipherSuiteList suites, PskList psks, EPathList active, int dtls) {
        ok(call(0x4B, EPath.classInstance(0x5E, 1), Bytes.EMPTY));
        ok(set(4, suites.toBytes()));
        if (psks != null) {
            ok(set(5, psks.toBytes()));
        }
        if (active != null) {
            ok(set(6, active.toBytes()));
        }
        ok(set(15, Bytes.of((byte) dtls, (byte) 0)));
        ok(call(0x4D, EPath.classInstance(0x5E, 1), Bytes.EMPTY));
    }

    private void download(long file, Bytes contents) throws Exception {
        InitiateDownloadRequest init = new InitiateDownloadRequest(contents.length(), 1, 1, 0, StringI.of("device.pem"));
        MessageRouterResponse r = call(FileServices.INITIATE_DOWNLOAD, EPath.classInstance(0x37, file), init.toBytes());
        ok(r);
        int size = InitiateDownloadResponse.decode(WireReader.of(r.data().toArray())).transferSize();
        int n = 0;
        for (int off = 0; off < contents.length(); off += size, n++) {
            int end = Math.min(contents.length(), off + size);
            boolean first = off == 0;
            boolean last = end == contents.length();
            int type = first && last ? PacketType.FIRST_AND_LAST : first ? PacketType.FIRST : last ? PacketType.LAST : PacketType.MIDDLE;
            Bytes part = contents.slice(off, end);
            TransferPacket t = last ? TransferPacket.last(n & 0xFF, type, part, FileChecksum.of(contents))
                    : TransferPacket.of(n & 0xFF, type, part);
            ok(call(FileServices.DOWNLOAD_TRANSFER, EPath.classInstance(0x37, file), t.toBytes()));
        }
    }

    private Bytes signedCertificate(Bytes csrPem) throws Exception {
        PKCS10CertificationRequest csr;
        try (PEMParser p = new PEMParser(new StringReader(new String(csrPem.toArray(), StandardCharsets.US_ASCII)))) {
            csr = (PKCS10CertificationRequest) p.readObject();
        }
        JcaPKCS10CertificationRequest jcsr = new JcaPKCS10CertificationRequest(csr);
        Instant now = Instant.now();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                new X500Name(ca.certificate().getSubjectX500Principal().getName()), BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(365, ChronoUnit.DAYS)), csr.getSubject(),
                jcsr.getPublicKey()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key())));
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded());
        return Bytes.of(("-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.US_ASCII));
    }

    private MessageRouterResponse call(int service, EPath path, Bytes data) {
        return device.router().handle(new MessageRouterRequest(service, path, data), ctx);
    }

    private MessageRouterResponse set(int attribute, Bytes value) {
        return call(0x10, EPath.classInstanceAttribute(0x5E, 1, attribute), value);
    }

    private static void ok(MessageRouterResponse r) {
        if (r.generalStatus() != 0) {
            throw new IllegalStateException("refused: " + r);
        }
    }
}
