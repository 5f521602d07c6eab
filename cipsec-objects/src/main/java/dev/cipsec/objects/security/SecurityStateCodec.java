package dev.cipsec.objects.security;

import dev.cipsec.objects.CipDataTypes;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.security.CertificateReference;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskList;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The security objects' persisted form: a versioned binary record built from the objects' own wire
 * encodings (so the same bounded decoders read it back), each list in a length-prefixed block.
 * PSK keys are included: the device stores this file owner-only.
 */
public final class SecurityStateCodec {
    private static final int MAGIC = 0x31535343; // "CSS1"
    /** Version 2 appends the EST server set over CIP; version 1 files (without it) are still read. */
    private static final int VERSION = 2;
    private static final int MAX_CERTIFICATES = 0xFFFF;

    private SecurityStateCodec() {
    }

    public static Bytes encode(SecurityObjects.State s) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(fixed(12, w -> {
            w.u32(MAGIC);
            w.u8(VERSION);
            w.u8(s.cipState());
            w.u16(s.cipConfiguredProfiles());
            w.u8(s.eipState());
            w.u8(s.pullModelEnabled() ? 1 : 0);
            w.u16(s.pullModelStatus());
        }));
        EipSecurityConfig c = s.eipApplied();
        parts.add(block(c.allowedSuites().encodedLength(), c.allowedSuites()::encode));
        parts.add(block(c.psks().encodedLength(), c.psks()::encode));
        for (EPathList l : List.of(c.activeCertificates(), c.trustedAuthorities(), c.crls(), c.trustedIdentities())) {
            parts.add(block(l.encodedLength(), l::encode));
        }
        parts.add(fixed(8, w -> {
            w.u8(c.verifyClientCertificate() ? 1 : 0);
            w.u8(c.sendCertificateChain() ? 1 : 0);
            w.u8(c.checkExpiration() ? 1 : 0);
            w.u8(c.checkSubjectAltName() ? 1 : 0);
            w.u16(c.dtlsTimeoutSeconds());
            w.u8(c.udpOnlyPolicy());
            w.u8(0);
        }));
        parts.add(fixed(2, w -> w.u16(s.certificates().size())));
        for (Map.Entry<Long, CertificateEntry> e : s.certificates().entrySet()) {
            CertificateEntry ce = e.getValue();
            int len = 4 + CipDataTypes.SHORT_STRING.encodedLength(ce.name()) + 1 + ce.device().encodedLength()
                    + ce.ca().encodedLength() + 5;
            parts.add(block(len, w -> {
                w.u32(e.getKey());
                CipDataTypes.SHORT_STRING.encode(ce.name(), w);
                w.u8(ce.state());
                ce.device().encode(w);
                ce.ca().encode(w);
                w.u8(ce.csrFile().isPresent() ? 1 : 0);
                w.u32(ce.csrFile().orElse(0));
            }));
        }
        EstServerSetting est = s.estServer();
        parts.add(block(CipDataTypes.STRING.encodedLength(est.uri()) + 1 + est.trustAnchorSha256().length(), w -> {
            CipDataTypes.STRING.encode(est.uri(), w);
            w.u8(est.trustAnchorSha256().length());
            w.bytes(est.trustAnchorSha256());
        }));
        int total = parts.stream().mapToInt(b -> b.length).sum();
        byte[] out = new byte[total];
        int off = 0;
        for (byte[] b : parts) {
            System.arraycopy(b, 0, out, off, b.length);
            off += b.length;
        }
        return Bytes.of(out);
    }

    public static SecurityObjects.State decode(Bytes data) throws WireFormatException {
        WireReader r = WireReader.of(data.toArray());
        if (r.u32("magic") != MAGIC) {
            throw new WireFormatException(WireFormatException.Reason.INVALID_VALUE, "not a security state file");
        }
        int version = r.u8("version");
        if (version != 1 && version != VERSION) {
            throw new WireFormatException(WireFormatException.Reason.INVALID_VALUE, "security state version " + version);
        }
        int cipState = r.u8("0x5D state");
        int profiles = r.u16("0x5D profiles");
        int eipState = r.u8("0x5E state");
        boolean pull = r.u8("pull enable") != 0;
        int pullStatus = r.u16("pull status");
        CipherSuiteList suites = CipherSuiteList.decode(block(r));
        PskList psks = PskList.decode(block(r));
        EPathList active = EPathList.decode(block(r));
        EPathList authorities = EPathList.decode(block(r));
        EPathList crls = EPathList.decode(block(r));
        EPathList identities = EPathList.decode(block(r));
        boolean verify = r.u8("verify") != 0;
        boolean chain = r.u8("chain") != 0;
        boolean expiry = r.u8("expiry") != 0;
        boolean san = r.u8("san") != 0;
        int dtls = r.u16("dtls timeout");
        int udp = r.u8("udp only");
        r.u8("reserved");
        int n = r.u16("certificate count");
        r.requireCount(n, 9, "certificates");
        Map<Long, CertificateEntry> certs = new TreeMap<>();
        for (int i = 0; i < n && i < MAX_CERTIFICATES; i++) {
            WireReader b = block(r);
            long id = b.u32("instance");
            String name = CipDataTypes.SHORT_STRING.decode(b);
            int state = b.u8("state");
            CertificateReference device = CertificateReference.decode(b);
            CertificateReference ca = CertificateReference.decode(b);
            boolean hasCsr = b.u8("csr flag") != 0;
            long csr = b.u32("csr file");
            b.expectEnd("certificate entry");
            certs.put(id, new CertificateEntry(name, state, device, ca, hasCsr ? OptionalLong.of(csr) : OptionalLong.empty()));
        }
        EstServerSetting est = EstServerSetting.NONE;
        if (version >= 2) {
            WireReader b = block(r);
            String uri = CipDataTypes.STRING.decode(b);
            Bytes fingerprint = b.bytes(b.u8("fingerprint length"), "fingerprint");
            b.expectEnd("EST server");
            try {
                est = new EstServerSetting(uri, fingerprint);
            } catch (IllegalArgumentException e) {
                throw new WireFormatException(WireFormatException.Reason.INVALID_VALUE, "EST server: " + e.getMessage());
            }
        }
        r.expectEnd("security state");
        EipSecurityConfig config;
        try {
            config = new EipSecurityConfig(suites, psks, active, authorities, crls, verify, chain, expiry, identities,
                    dtls, udp, san);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(WireFormatException.Reason.INVALID_VALUE, e.getMessage());
        }
        return new SecurityObjects.State(cipState, profiles, eipState, config, pull, pullStatus, certs, est);
    }

    private static byte[] fixed(int size, Consumer<WireWriter> body) {
        WireWriter w = WireWriter.ofSize(size);
        body.accept(w);
        return w.array();
    }

    private static byte[] block(int len, Consumer<WireWriter> body) {
        WireWriter w = WireWriter.ofSize(4 + len);
        w.u32(len);
        body.accept(w);
        return w.array();
    }

    private static WireReader block(WireReader r) throws WireFormatException {
        long len = r.u32("block length");
        if (len > r.remaining()) {
            throw new WireFormatException(WireFormatException.Reason.LENGTH_MISMATCH, "block of " + len + " bytes");
        }
        return r.sub((int) len, "block");
    }
}
