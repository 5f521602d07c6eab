package dev.cipsec.wire.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs tshark (Wireshark's dissectors: a decoder nobody here wrote) over a pcap and returns the
 * fields it decoded, so codec tests can assert that our bytes read the way Wireshark reads them.
 */
public final class Tshark {
    private Tshark() {
    }

    /** Display filter matching frames tshark considers broken. */
    public static final String MALFORMED = "_ws.malformed || _ws.expert.severity==error";

    /**
     * One map per frame matching {@code filter} (null for all), field name to value; a field that
     * occurs several times in a frame has its values joined by ','.
     */
    public static List<Map<String, String>> fields(Path pcap, String filter, List<String> fields, String... extraArgs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PeerTools.require("tshark").toString(), "-n", "-r", pcap.toString()));
        cmd.addAll(List.of(extraArgs));
        if (filter != null) {
            cmd.addAll(List.of("-Y", filter));
        }
        cmd.addAll(List.of("-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        String out = run(cmd);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : out.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            String[] v = line.split("\t", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < fields.size(); i++) {
                row.put(fields.get(i), i < v.length ? v[i] : "");
            }
            rows.add(row);
        }
        return rows;
    }

    /** Number of frames tshark flags as malformed or with an error-level expert info. */
    public static int malformedCount(Path pcap, String... extraArgs) throws IOException, InterruptedException {
        return fields(pcap, MALFORMED, List.of("frame.number"), extraArgs).size();
    }

    /** The full verbose dissection, for failure messages. */
    public static String verbose(Path pcap, String... extraArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PeerTools.require("tshark").toString(), "-n", "-V", "-r", pcap.toString()));
        cmd.addAll(List.of(extraArgs));
        return run(cmd);
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().put("HOME", System.getProperty("java.io.tmpdir"));
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("tshark timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new IOException("tshark exit " + p.exitValue() + ": " + new String(err, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
