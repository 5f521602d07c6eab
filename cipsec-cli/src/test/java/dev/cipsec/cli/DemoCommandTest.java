package dev.cipsec.cli;

import dev.cipsec.wire.testkit.PeerTools;
import dev.cipsec.wire.testkit.Tshark;
import dev.cipsec.adapter.config.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

class DemoCommandTest {
    /** Every step of a full run, in order. */
    static final List<String> STEPS = List.of("dir", "device", "discover", "ca", "policy", "commission", "scanner", "discover",
            "plain tcp", "tls", "identity", "get", "set", "psk", "wrong key", "forward open", "dtls io", "device");

    @TempDir
    Path tmp;

    @Test
    void runsEveryStepAndLeavesItsFilesWithTheRealPorts() throws Exception {
        Path dir = tmp.resolve("demo");
        MainTest.Run r = MainTest.run("demo", "--duration", "2s", "--dir", dir.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        List<String> seen = new ArrayList<>();
        Matcher step = Pattern.compile("(?m)^(\\S+(?: \\S+)?) +(ok  |FAIL) ").matcher(r.out());
        while (step.find()) {
            assertThat(step.group(2)).as(step.group()).isEqualTo("ok  ");
            seen.add(step.group(1));
        }
        assertThat(seen).containsExactlyElementsOf(STEPS);
        assertThat(r.out()).contains("demo ok").contains("demo directory " + dir)
                .containsPattern("(?m)^discover +ok +ListIdentity 0x86 item CIP Security Factory Default, EtherNet/IP Security "
                        + "Factory Default, .*open: tcp/44818 ")
                .containsPattern("(?m)^discover +ok +ListIdentity 0x86 item CIP Security Configured, EtherNet/IP Security "
                        + "Configured, .*open: udp/44818 ")
                .containsPattern("(?m)^ +plain-closed")
                .containsPattern("(?m)^plain tcp +ok +tcp 127\\.0\\.0\\.1:\\d+ is closed")
                .containsPattern("(?m)^tls +ok +TLSv1\\.2 TLS_ECDHE_ECDSA_.* issued by CN=cipsec demo plant CA")
                .containsPattern("(?m)^psk +ok +TLS_ECDHE_PSK_.* as 'conduit:scanner-link'")
                .containsPattern("(?m)^wrong key +ok .*received alert ")
                .containsPattern("(?m)^dtls io +ok .*handshakes 1 .*output mirrored back; Forward_Close")
                // Not a terminal: one live line a second, none rewritten in place.
                .doesNotContain("\r")
                .containsPattern("(?m)^ +1\\.0s  TLS_ECDHE_ECDSA_\\S+  handshakes 1  out \\d+  in \\d+  lost \\d+  lateness p50 ");

        Matcher tls = Pattern.compile("tls 127\\.0\\.0\\.1:(\\d+), dtls 127\\.0\\.0\\.1:(\\d+)").matcher(r.out());
        assertThat(tls.find()).as(r.out()).isTrue();
        String capture = Files.readString(dir.resolve("capture.md"));
        assertThat(capture).contains("'tcp port " + tls.group(1) + " or udp port " + tls.group(2) + "'")
                .contains("`" + dir.resolve("keys.log") + "`")
                .contains("-o tls.keylog_file:" + tmp.resolve("demo-captured").resolve("keys.log"))
                .contains("-d udp.port==" + tls.group(2) + ",dtls").contains("-d tcp.port==" + tls.group(1) + ",tls")
                .contains("./cipsec demo --tls-port " + tls.group(1) + " --dtls-port " + tls.group(2) + " --dir " + tmp.resolve("demo-captured"));
        // Commissioning (2 sessions), the scanner over TLS, the PSK client and the DTLS session; the wrong key never finished.
        List<String> keyLines = Files.readAllLines(dir.resolve("keys.log"));
        assertThat(keyLines).hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(l -> assertThat(l).matches("CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}"));
        assertThat(dir.resolve("ca/ca.pem")).isRegularFile();
        assertThat(dir.resolve("scanner/cert.pem")).isRegularFile();
        assertThat(dir.resolve("commission/reports/demo-adapter.json")).content().contains("\"result\": \"configured\"");
        assertThat(Files.readString(dir.resolve("policy.json"))).contains("\"fingerprint\"").contains("\"authentication\": \"psk\"");
        for (String secret : List.of("ca.password", "policy.json.secrets", "keys.log")) {
            assertThat(Files.getPosixFilePermissions(dir.resolve(secret))).as(secret)
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
        assertThat(r.out()).contains("files in " + dir).containsPattern("(?m)^  keys\\.log +NSS key log")
                .containsPattern("(?m)^  capture\\.md ");
    }

    @Test
    void stopEndsTheIoRunClosesEverythingAndExitsZero() throws Exception {
        Path dir = tmp.resolve("stopped");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int[] exit = {-1};
        Thread t = new Thread(() -> exit[0] = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "demo", "--json", "--duration", "10m", "--dir", dir.toString()));
        long started = System.nanoTime();
        t.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            // With --json the live summary goes to stderr: once it shows, the class 1 connection runs.
            while (!err.toString().contains("handshakes 1")) {
                assertThat(t.isAlive()).as("the demo ended early: %s %s", out, err).isTrue();
                assertThat(System.nanoTime()).as("the I/O run started in time: %s", err).isLessThan(deadline);
                t.join(20);
            }
            // What Ctrl-C does: the signal handler calls stop() on the running demo.
            DemoCommand.active().orElseThrow().stop();
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).as("the demo stopped").isFalse();
        } finally {
            DemoCommand.active().ifPresent(DemoCommand::stop);
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMinutes(2));
        assertThat(exit[0]).as(out + "" + err).isZero();
        Map<String, Object> json = MainTest.asMap(Json.parse(out.toString()));
        assertThat(json).containsEntry("ok", true).containsEntry("stoppedEarly", true).containsEntry("dir", dir.toString());
        List<?> steps = (List<?>) json.get("steps");
        assertThat(steps.stream().map(s -> MainTest.asMap(s).get("step"))).containsExactlyElementsOf(STEPS);
        Map<String, Object> io = MainTest.asMap(steps.get(STEPS.indexOf("dtls io")));
        assertThat(io.get("detail").toString()).contains("stopped by request").contains("Forward_Close");
        assertThat(MainTest.asMap(json.get("files"))).containsKey(dir.resolve("keys.log").toString())
                .containsKey(dir.resolve("capture.md").toString());
        assertThat(DemoCommand.active()).isEmpty();
        // Nothing of the demo is left running in this JVM.
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("demo-io") || n.startsWith("cipsec-device"))).isEmpty();
    }

    @Test
    void refusesADirectoryThatIsNotEmpty() throws Exception {
        Files.writeString(tmp.resolve("something"), "x");
        MainTest.Run r = MainTest.run("demo", "--dir", tmp.toString());
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("is not empty");
        assertThat(DemoCommand.active()).isEmpty();
    }

    /** The launcher a user types, in a child process: it must end by itself, exit 0 and leave no JVM behind. */
    @Test
    void theLauncherRunsTheDemoToItsEndAndLeavesNoProcess() throws Exception {
        Path repo = repoDir();
        Path dir = tmp.resolve("launched");
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("cipsec").toString(), "demo", "--duration", "2s", "--dir", dir.toString())
                .redirectErrorStream(true);
        // The classes under test, not a jar: Maven has not packaged one yet, and the launcher must not build.
        pb.environment().put("CIPSEC_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process child = pb.start();
        child.getOutputStream().close();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        });
        List<ProcessHandle> family = new CopyOnWriteArrayList<>();
        family.add(child.toHandle());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!child.waitFor(50, TimeUnit.MILLISECONDS)) {
                child.descendants().filter(p -> !family.contains(p)).forEach(family::add);
                assertThat(System.nanoTime()).as("the demo ended by itself in time: %s", lines).isLessThan(deadline);
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(child.exitValue()).as(String.join("\n", lines)).isZero();
            assertThat(lines).contains("demo ok: every step gave the expected answer");
            assertThat(family).noneMatch(ProcessHandle::isAlive);
            assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dir.toString())))
                    .as("no process still runs with the demo's directory").isEmpty();
        } finally {
            family.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * Wireshark's view of a demo run: the loopback traffic captured by tshark and decrypted with the demo's key
     * log shows the CIP requests inside TLS and the Forward_Close and I/O inside DTLS, and nothing without it.
     */
    @Test
    void tsharkDecryptsTheCapturedRunWithTheKeyLog() throws Exception {
        Path tshark = PeerTools.require("tshark");
        int tlsPort;
        int dtlsPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             DatagramSocket u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            tlsPort = s.getLocalPort();
            dtlsPort = u.getLocalPort();
        }
        Path pcap = tmp.resolve("demo.pcap");
        // -P -l: tshark also prints each packet's UDP source port as it writes it, so the test knows when the
        // capture has caught up with the demo (a marker datagram sent at the end).
        Process capture = new ProcessBuilder(tshark.toString(), "-i", "lo", "-w", pcap.toString(), "-P", "-l", "-T", "fields",
                "-e", "udp.srcport", "-f", DemoCapture.captureFilter(tlsPort, dtlsPort)).redirectErrorStream(true).start();
        capture.getOutputStream().close();
        List<String> captureOut = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(capture.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    captureOut.add(line);
                }
            } catch (IOException ignored) {
                // tshark is gone
            }
        });
        Path dir = tmp.resolve("captured");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (captureOut.stream().noneMatch(l -> l.startsWith("Capturing on"))) {
                if (!capture.isAlive() || System.nanoTime() > deadline) {
                    String why = "tshark cannot capture on lo (needs root or capture rights): " + captureOut;
                    if (PeerTools.onCi()) {
                        fail(why);
                    }
                    Assumptions.abort(why);
                }
                capture.waitFor(20, TimeUnit.MILLISECONDS);
            }
            MainTest.Run r = MainTest.run("demo", "--duration", "1s", "--dir", dir.toString(), "--tls-port",
                    Integer.toString(tlsPort), "--dtls-port", Integer.toString(dtlsPort));
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            try (DatagramSocket marker = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                marker.send(new java.net.DatagramPacket(new byte[] {0}, 1, InetAddress.getLoopbackAddress(), dtlsPort));
                String port = Integer.toString(marker.getLocalPort());
                long caughtUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!captureOut.contains(port)) {
                    assertThat(System.nanoTime()).as("tshark saw the marker: %s", captureOut).isLessThan(caughtUp);
                    capture.waitFor(20, TimeUnit.MILLISECONDS);
                }
            }
        } finally {
            // SIGTERM: tshark writes out what it holds and ends.
            capture.destroy();
            if (!capture.waitFor(30, TimeUnit.SECONDS)) {
                capture.destroyForcibly();
            }
        }
        List<String> decode = new ArrayList<>(List.of("-o", "tls.keylog_file:" + dir.resolve("keys.log")));
        for (String part : DemoCapture.decodeAs(tlsPort, dtlsPort).split(" ")) {
            decode.add(part);
        }
        String[] args = decode.toArray(String[]::new);
        List<Map<String, String>> overTls = Tshark.fields(pcap, "tcp.port == " + tlsPort + " && cip",
                List.of("cip.service", "cip.class"), args);
        // Get_Attributes_All of the Identity object (the scanner) and Begin_Config on 0x5E (commissioning).
        assertThat(overTls).anyMatch(f -> f.get("cip.service").equals("0x01") && f.get("cip.class").equals("0x01"))
                .anyMatch(f -> f.get("cip.service").equals("0x4b") && f.get("cip.class").equals("0x5e"));
        // Forward_Open, the I/O both ways (the demo's output pattern A0 A1 ... mirrored back) and Forward_Close.
        List<Map<String, String>> overDtls = Tshark.fields(pcap, "udp.port == " + dtlsPort + " && (cipio || cip)",
                List.of("cip.service", "cipio.data"), args);
        assertThat(overDtls).anyMatch(f -> f.get("cip.service").equals("0x54"))
                .anyMatch(f -> f.get("cip.service").equals("0x4e"))
                .anyMatch(f -> f.get("cipio.data").contains("a0a1a2a3a4a5a6a7"));
        assertThat(Tshark.fields(pcap, "cip || cipio", List.of("frame.number"),
                DemoCapture.decodeAs(tlsPort, dtlsPort).split(" "))).as("without the key log").isEmpty();
    }

    static Path repoDir() {
        String env = System.getenv("CIPSEC_REPO_DIR");
        Path repo = env != null ? Path.of(env) : Path.of("").toAbsolutePath().getParent();
        assertThat(repo.resolve("cipsec")).as("the launcher in %s", repo).isExecutable();
        return repo;
    }
}
