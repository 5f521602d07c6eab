package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.objects.std.AssemblyInstance;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Discovery;
import dev.cipsec.scanner.ExplicitConnection;
import dev.cipsec.scanner.IdentityInfo;
import dev.cipsec.scanner.ListIdentityResult;
import dev.cipsec.scanner.Target;
import dev.cipsec.scanner.io.DtlsTarget;
import dev.cipsec.scanner.io.IoConnection;
import dev.cipsec.scanner.io.IoRuntime;
import dev.cipsec.scanner.io.IoSettings;
import dev.cipsec.scanner.io.IoStats;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsHandshakeException;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsSessionInfo;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.epath.EPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The main job on embedded defaults, secured: starts an adapter on loopback with CIP Security (TLS)
 * beside plain EtherNet/IP, and drives it with our client over TLS, checking every answer. The
 * device's credentials are made at start (a self-signed EC P-256 certificate the client pins, and
 * a random PSK), so nothing secret ships with the project and nothing needs setting up.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start an adapter on loopback with CIP Security (TLS, fresh self-signed certificate and random PSK),",
                "run a client against it over TLS and print what happened: discovery, the TLS handshake, session, identity,",
                "Get/Set_Attribute_Single, assembly read-back, a class 3 connection, a refused request, PSK clients with the right and a wrong key.",
                "Exits 0 only when every step gave the expected answer."})
final class DemoCommand implements Callable<Integer> {
    /** Output goes through the command line's writers, so tests and embedding code can capture it. */
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Machine-readable JSON output.")
    boolean json;

    private final List<Map<String, Object>> steps = new ArrayList<>();
    private boolean failed;

    @Override
    public Integer call() throws Exception {
        Identity deviceIdentity = DemoCredentials.selfSignedDevice("cipsec demo device");
        PskCredential psk = DemoCredentials.randomPsk("cipsec-demo");
        TlsPolicy devicePolicy = TlsPolicy.builder().suites(TlsOptions.defaultSuites()).identity(deviceIdentity).psk(psk).build();
        DeviceProfile profile = DeviceProfile.defaults().withSecurity(SecuritySettings.tls(devicePolicy)).onEphemeralPorts();
        X509Certificate deviceCert = deviceIdentity.certificate();
        try (CipDevice device = CipDevice.start(profile)) {
            mirror(device, "150:100");
            say("adapter", "'" + profile.identity().productName() + "' listening on tls " + device.tlsAddress()
                    + " and dtls " + device.dtlsAddress() + " (CIP Security), tcp " + device.tcpAddress() + ", udp "
                    + device.udpAddress(), device.tlsAddress() != null && device.dtlsAddress() != null);

            InetSocketAddress udp = device.udpAddress();
            List<ListIdentityResult> found = Discovery.listIdentity(List.of(udp), Duration.ofSeconds(3), 500);
            say("discover", found.size() == 1 ? "ListIdentity over UDP answered by " + found.get(0).identity()
                    .map(i -> i.productName() + " serial " + String.format("0x%08X", i.serialNumber())).orElse("?")
                    + found.get(0).security().map(sec -> "; CIP Security item: " + Render.security(sec)).orElse("; no CIP Security item")
                    : found.size() + " replies", found.size() == 1 && found.get(0).conforming() && found.get(0).cipSecurityCapable());

            // The client trusts exactly the device's certificate (pinned), not any CA.
            TlsPolicy clientPolicy = TlsPolicy.builder().suites(TlsOptions.defaultSuites())
                    .peerVerifier(PeerVerifier.trusting(TrustStore.of(List.of(deviceCert), List.of(), List.of()), false)).build();
            Target target = new Target(device.tlsAddress().getAddress().getHostAddress(), device.tlsAddress().getPort(), true);
            try (CipClient client = CipClient.connect(target, ClientOptions.defaults().withTls(clientPolicy))) {
                TlsSessionInfo tls = client.tlsSession().orElseThrow();
                say("tls", tls.version() + " " + tls.suite() + "; device certificate " + dev.cipsec.transport.tls.cert.CredentialFiles.subject(deviceCert)
                        + " (self-signed, pinned) sha256 " + CredentialFiles.sha256Fingerprint(deviceCert),
                        tls.suite().keyExchange() == CipherSuite.KeyExchange.ECDHE_ECDSA
                                && tls.peerCertificates().equals(List.of(deviceCert)));
                say("session", String.format("RegisterSession -> handle 0x%08X", client.sessionHandle()), client.sessionHandle() != 0);

                IdentityInfo id = client.identity();
                say("identity", String.format("Get_Attributes_All 1/1 -> %s, vendor %d, type 0x%02X, product %d, rev %s",
                        id.productName(), id.vendorId(), id.deviceType(), id.productCode(), id.revision()),
                        id.productName().equals(profile.identity().productName()));

                Bytes name = client.getAttributeSingle(EPath.parse("1/1/7"));
                say("get", "Get_Attribute_Single 1/1/7 (product name) -> " + ValueFormat.SHORT_STRING.render(name),
                        ValueFormat.SHORT_STRING.render(name).equals(profile.identity().productName()));

                Bytes timeout = client.getAttributeSingle(EPath.parse("0xF5/1/13"));
                say("get", "Get_Attribute_Single 0xF5/1/13 (encapsulation inactivity timeout) -> "
                        + ValueFormat.UINT.render(timeout) + " s", timeout.length() == 2);

                byte[] pattern = new byte[32];
                for (int i = 0; i < pattern.length; i++) {
                    pattern[i] = (byte) (i * 7 + 1);
                }
                client.setAttributeSingle(EPath.parse("4/150/3"), Bytes.of(pattern));
                say("set", "Set_Attribute_Single 4/150/3 (output assembly, 32 bytes) -> success", true);

                Bytes input = client.getAttributeSingle(EPath.parse("4/100/3"));
                say("assembly", "Get_Attribute_Single 4/100/3 (input assembly, mirrored by the device) -> " + input.toHex(),
                        input.equals(Bytes.of(pattern)));

                try (ExplicitConnection conn = client.openExplicitConnection()) {
                    Bytes vendor = conn.getAttributeSingle(EPath.parse("1/1/1"));
                    say("class 3", String.format("Forward_Open O->T 0x%08X T->O 0x%08X; connected Get 1/1/1 -> vendor %s; Forward_Close",
                            conn.otConnectionId(), conn.toConnectionId(), ValueFormat.UINT.render(vendor)),
                            ValueFormat.UINT.render(vendor).equals(Integer.toString(profile.identity().vendorId())));
                }

                try {
                    client.getAttributeSingle(EPath.parse("1/1/99"));
                    say("refused", "Get_Attribute_Single 1/1/99 unexpectedly succeeded", false);
                } catch (CipServiceException e) {
                    say("refused", "Get_Attribute_Single 1/1/99 -> " + GeneralStatus.describe(e.generalStatus()),
                            e.generalStatus() == GeneralStatus.ATTRIBUTE_NOT_SUPPORTED);
                }
            }
            dtlsIoStep(device, clientPolicy);
            pskSteps(target, psk, profile);
            var stats = device.stats();
            var handshakes = device.tls().stats().snapshot();
            say("device", "served " + stats.unconnectedRequests() + " unconnected and " + stats.connectedRequests()
                    + " connected requests, " + stats.sessionsRegistered() + " session(s); TLS handshakes: "
                    + handshakes.completed() + " completed, " + handshakes.failedTotal()
                    + " refused", handshakes.completed() >= 2);
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ok", !failed);
            out.put("steps", steps);
            spec.commandLine().getOut().println(JsonOut.write(out));
        } else {
            spec.commandLine().getOut().println(failed ? "demo FAILED" : "demo ok: every step gave the expected answer");
        }
        return failed ? Main.REFUSED : Main.OK;
    }

    /**
     * Class 1 I/O as a CIP Security device runs it: a DTLS session with UDP 2221 (the pinned
     * certificate again), Forward_Open inside it, 10 ms I/O both ways until the device's mirrored
     * input comes back, Forward_Close.
     */
    private void dtlsIoStep(CipDevice device, TlsPolicy clientPolicy) throws Exception {
        InetSocketAddress at = device.dtlsAddress();
        byte[] output = new byte[32];
        for (int i = 0; i < output.length; i++) {
            output[i] = (byte) (0xA0 + i);
        }
        try (IoRuntime runtime = IoRuntime.create("demo-io");
             DtlsTarget dtls = DtlsTarget.connect(new Target(at.getAddress().getHostAddress(), at.getPort(), true),
                     ClientOptions.defaults().withTls(clientPolicy))) {
            IoConnection c = runtime.open(dtls, IoSettings.builder().rpi(Duration.ofMillis(10))
                    .initialOutput(Bytes.of(output)).build(), null, null);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            // Until the mirrored output is back and a few cycles have run (20 packets, 200 ms at 10 ms).
            while ((!c.latestInput().map(v -> java.util.Arrays.equals(v, output)).orElse(false) || c.stats().received() < 20)
                    && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
            boolean echoed = c.latestInput().map(v -> java.util.Arrays.equals(v, output)).orElse(false);
            IoStats st = c.stats();
            c.close();
            TlsSessionInfo session = dtls.session().orElseThrow();
            say("dtls io", String.format("%s %s; Forward_Open in the session: O->T 0x%08X T->O 0x%08X at %d ms; "
                            + "%d packets out, %d in, output mirrored back; Forward_Close", session.version(), session.suite(),
                    c.otConnectionId(), c.toConnectionId(), c.otApiMicros() / 1000, st.sent(), st.received()),
                    echoed && !c.timedOut() && device.ioConnectionCount() == 0);
        }
    }

    /** The same device through its PSK: a client with the key gets in, one with a wrong key is refused. */
    private void pskSteps(Target target, PskCredential psk, DeviceProfile profile) throws Exception {
        TlsPolicy right = TlsPolicy.builder().suites(TlsOptions.defaultSuites()).psk(psk).build();
        try (CipClient client = CipClient.connect(target, ClientOptions.defaults().withTls(right))) {
            TlsSessionInfo tls = client.tlsSession().orElseThrow();
            IdentityInfo id = client.identity();
            say("psk", tls.suite() + " as '" + tls.pskIdentity().orElse("?") + "' (random 32-byte key) -> " + id.productName(),
                    tls.suite().keyExchange() == CipherSuite.KeyExchange.ECDHE_PSK
                            && id.productName().equals(profile.identity().productName()));
        }
        byte[] wrongKey = psk.key().toArray();
        wrongKey[0] ^= 1;
        TlsPolicy wrong = TlsPolicy.builder().psk(PskCredential.of(psk.identityText(), Bytes.of(wrongKey))).build();
        try (CipClient client = CipClient.connect(target, ClientOptions.defaults().withTls(wrong))) {
            say("wrong key", "a client with a wrong PSK unexpectedly got in", false);
        } catch (TlsHandshakeException e) {
            say("wrong key", "a client with a wrong PSK -> " + ExitCodes.tlsMessage(e), e.alert() != TlsHandshakeException.NO_ALERT);
        }
    }

    private void say(String step, String what, boolean ok) {
        failed |= !ok;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("ok", ok);
        m.put("detail", what);
        steps.add(m);
        if (!json) {
            spec.commandLine().getOut().printf("%-9s %s %s%n", step, ok ? "ok  " : "FAIL", what);
        }
    }

    /** Makes every write of output assembly OUT appear in input assembly IN ("150:100"). */
    static void mirror(CipDevice device, String spec) {
        String[] parts = spec.split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--mirror takes OUT:IN, e.g. 150:100");
        }
        AssemblyInstance out = device.assembly(Integer.parseInt(parts[0].strip()));
        AssemblyInstance in = device.assembly(Integer.parseInt(parts[1].strip()));
        if (out == null || in == null) {
            throw new IllegalArgumentException("no such assembly in " + spec);
        }
        if (out.size() != in.size()) {
            throw new IllegalArgumentException("assemblies " + spec + " differ in size");
        }
        out.addListener((assembly, data, source) -> in.write(data));
    }
}
