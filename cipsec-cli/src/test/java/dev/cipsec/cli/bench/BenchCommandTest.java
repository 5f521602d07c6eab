package dev.cipsec.cli.bench;

import dev.cipsec.cli.Main;
import dev.cipsec.commission.json.JsonNode;
import dev.cipsec.commission.json.JsonNode.JsonArray;
import dev.cipsec.commission.json.JsonNode.JsonNull;
import dev.cipsec.commission.json.JsonNode.JsonNumber;
import dev.cipsec.commission.json.JsonNode.JsonObject;
import dev.cipsec.commission.json.JsonNode.JsonString;
import dev.cipsec.commission.json.JsonReader;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.wire.testkit.PeerTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cipsec bench --quick} once, whole: it checks that the report is complete and well formed,
 * never how fast anything was.
 */
class BenchCommandTest {
    private static final List<String> FIGURES = List.of("full_handshakes_per_s", "resumed_handshakes_per_s", "record_64_ns",
            "record_512_ns", "bulk_16k_mb_per_s");

    @TempDir
    Path tmp;

    @Test
    void quickRunWritesACompleteReport() throws Exception {
        PeerTools.require("openssl");
        Path dir = tmp.resolve("report");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), "bench", "--quick", "--out", dir.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("handshakes per second").contains("record protection")
                .containsPattern("quick run took \\d+\\.\\d min").contains(dir.resolve("index.html").toString());

        JsonObject report = (JsonObject) JsonReader.read(dir.resolve("report.json"));
        List<JsonNode> rows = ((JsonArray) report.get("rows").orElseThrow()).elements();
        assertThat(rows).hasSize(2 * CipherSuite.values().length);
        Set<String> seen = new HashSet<>();
        for (JsonNode n : rows) {
            JsonObject row = (JsonObject) n;
            String key = text(row, "suite") + "/" + text(row, "protocol");
            assertThat(seen.add(key)).as("one row per suite and protocol: %s", key).isTrue();
            for (String figure : FIGURES) {
                JsonObject f = (JsonObject) row.get(figure).orElseThrow();
                for (String side : List.of("ours", "openssl")) {
                    JsonNode v = f.get(side).orElseThrow();
                    if (v instanceof JsonNumber num) {
                        assertThat(num.doubleValue()).as("%s %s %s", key, figure, side).isPositive();
                    } else {
                        assertThat(v).as("%s %s %s", key, figure, side).isInstanceOf(JsonNull.class);
                        assertThat(text(f, side + "_na")).as("%s %s %s: the reason", key, figure, side).isNotBlank();
                    }
                }
            }
        }
        for (CipherSuite s : CipherSuite.values()) {
            assertThat(seen).contains(s.name() + "/tls", s.name() + "/dtls");
        }
        // OpenSSL 3 lacks 0xD001: its handshake figures say so rather than show a number.
        JsonObject d001 = (JsonObject) rows.stream().filter(r -> text((JsonObject) r, "id").equals("0xD001")).findFirst()
                .orElseThrow();
        assertThat(text((JsonObject) d001.get("full_handshakes_per_s").orElseThrow(), "openssl_na")).contains("does not implement");

        JsonObject classOne = (JsonObject) report.get("class1_dtls_one_core").orElseThrow();
        assertThat(((JsonNumber) classOne.get("dtls_per_s").orElseThrow()).doubleValue()).isPositive();
        assertThat(((JsonNumber) classOne.get("plain_udp_per_s").orElseThrow()).doubleValue()).isPositive();
        JsonObject lateness = (JsonObject) report.get("io_lateness").orElseThrow();
        assertThat(((JsonNumber) lateness.get("packets").orElseThrow()).longValue()).isPositive();
        assertThat(((JsonArray) lateness.get("histogram").orElseThrow()).elements()).isNotEmpty();

        String html = Files.readString(dir.resolve("index.html"));
        List<String> pngs = List.of("handshakes-full.png", "handshakes-resumed.png", "record-cost-tls.png",
                "record-cost-dtls.png", "lateness.png");
        for (String png : pngs) {
            Path p = dir.resolve(png);
            assertThat(Files.size(p)).as(png).isGreaterThan(10_000);
            BufferedImage image = ImageIO.read(p.toFile());
            assertThat(image).as(png + " is a PNG ImageIO reads").isNotNull();
            assertThat(image.getWidth()).isGreaterThan(400);
            assertThat(html).contains("src=\"" + png + "\"");
        }
        assertThat(html).contains("<pre>").contains("report.json");
    }

    @Test
    void contradictoryOrUnknownChoicesAreUsageErrorsBeforeAnythingRuns() {
        StringWriter err = new StringWriter();

        assertThat(Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "bench", "--tls-only",
                "--dtls-only", "--out", tmp.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("exclude each other");
        assertThat(Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "bench", "--suites",
                "C02B,FFFF", "--out", tmp.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("not a CIP Security suite: FFFF");
        assertThat(tmp.resolve("report.json")).doesNotExist();
    }

    private static String text(JsonObject o, String key) {
        return ((JsonString) o.get(key).orElseThrow()).value();
    }
}
