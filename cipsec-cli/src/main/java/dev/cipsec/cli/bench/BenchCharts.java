package dev.cipsec.cli.bench;

import dev.cipsec.cli.bench.SuiteBench.Figure;
import dev.cipsec.cli.bench.SuiteBench.Result;
import dev.cipsec.cli.bench.SuiteBench.Row;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The report's charts, drawn by JFreeChart into PNG files with AWT in headless mode (no display
 * needed): handshake rates and per-record costs per suite as grouped bars, ours beside OpenSSL's,
 * and the I/O lateness histogram. A figure not measured leaves its bar out.
 */
final class BenchCharts {
    /** Chart role → caption, in the order the page shows them. */
    static final Map<String, String> CAPTIONS;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("handshakes_full", "Full handshakes per second per suite, ours vs OpenSSL, TLS and DTLS");
        m.put("handshakes_resumed", "Resumed TLS handshakes per second per suite, ours vs OpenSSL");
        m.put("record_cost_tls", "Cost of protecting one TLS record (ns) per suite, 64 B and 512 B, ours vs OpenSSL");
        m.put("record_cost_dtls", "Cost of protecting one DTLS record (ns) per suite, 64 B and 512 B, ours vs OpenSSL");
        m.put("lateness", "I/O lateness histogram: class 1 over DTLS, RPI 10 ms, our scanner <-> our adapter");
        CAPTIONS = java.util.Collections.unmodifiableMap(m);
    }

    private static final Color OURS = new Color(0x1f77b4);
    private static final Color OURS_LIGHT = new Color(0x9ecae1);
    private static final Color OPENSSL = new Color(0xd62728);
    private static final Color OPENSSL_LIGHT = new Color(0xfc9272);
    private static final int WIDTH = 1100;

    private BenchCharts() {
    }

    /** Draws every chart the result has data for into {@code dir}; returns the files by role. */
    static Map<String, Path> draw(Result r, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, Path> out = new LinkedHashMap<>();
        List<Row> tls = r.rows().stream().filter(x -> x.protocol().equals("TLS")).toList();
        List<Row> dtls = r.rows().stream().filter(x -> x.protocol().equals("DTLS")).toList();

        DefaultCategoryDataset full = new DefaultCategoryDataset();
        for (Row row : r.rows()) {
            String suite = BenchReport.shortName(row.suite());
            full.addValue(row.full().ours(), "ours " + row.protocol(), suite);
            full.addValue(row.full().openssl(), "OpenSSL " + row.protocol(), suite);
        }
        save(out, dir, "handshakes_full", "handshakes-full.png", bars(CAPTIONS.get("handshakes_full"), "handshakes/s", full,
                r.settings().tls() && r.settings().dtls() ? new Color[] {OURS, OPENSSL, OURS_LIGHT, OPENSSL_LIGHT}
                        : new Color[] {OURS, OPENSSL}));
        if (!tls.isEmpty()) {
            DefaultCategoryDataset resumed = dataset(tls, Row::resumed, "");
            save(out, dir, "handshakes_resumed", "handshakes-resumed.png",
                    bars(CAPTIONS.get("handshakes_resumed"), "handshakes/s", resumed, new Color[] {OURS, OPENSSL}));
            save(out, dir, "record_cost_tls", "record-cost-tls.png", recordChart("record_cost_tls", tls));
        }
        if (!dtls.isEmpty()) {
            save(out, dir, "record_cost_dtls", "record-cost-dtls.png", recordChart("record_cost_dtls", dtls));
        }
        save(out, dir, "lateness", "lateness.png", latenessChart(r));
        return out;
    }

    private static JFreeChart recordChart(String role, List<Row> rows) {
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        for (Row row : rows) {
            String suite = BenchReport.shortName(row.suite());
            d.addValue(row.record64().ours(), "ours 64 B", suite);
            d.addValue(row.record64().openssl(), "OpenSSL 64 B", suite);
            d.addValue(row.record512().ours(), "ours 512 B", suite);
            d.addValue(row.record512().openssl(), "OpenSSL 512 B", suite);
        }
        return bars(CAPTIONS.get(role), "ns per record (lower is better)", d,
                new Color[] {OURS_LIGHT, OPENSSL_LIGHT, OURS, OPENSSL});
    }

    private static DefaultCategoryDataset dataset(List<Row> rows, Function<Row, Figure> figure, String suffix) {
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        for (Row row : rows) {
            String suite = BenchReport.shortName(row.suite());
            d.addValue(figure.apply(row).ours(), "ours" + suffix, suite);
            d.addValue(figure.apply(row).openssl(), "OpenSSL" + suffix, suite);
        }
        return d;
    }

    /** Horizontal grouped bars: one group per suite, one bar per series. */
    private static JFreeChart bars(String title, String valueLabel, DefaultCategoryDataset d, Color[] colors) {
        JFreeChart chart = ChartFactory.createBarChart(title, "suite", valueLabel, d, PlotOrientation.HORIZONTAL, true,
                false, false);
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        // Room for the longest suite name (CHACHA20_POLY1305) beside horizontal bars.
        plot.getDomainAxis().setMaximumCategoryLabelWidthRatio(0.5f);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        for (int i = 0; i < colors.length && i < d.getRowCount(); i++) {
            renderer.setSeriesPaint(i, colors[i]);
        }
        return chart;
    }

    private static JFreeChart latenessChart(Result r) {
        ArrivalLateness.Sample s = r.lateness().sample();
        XYIntervalSeries series = new XYIntervalSeries("T->O packets");
        for (long[] b : s.histogram(s.binNanos())) {
            double from = b[0] / 1e3;
            double to = b[1] / 1e3;
            series.add((from + to) / 2, from, to, b[2], b[2], b[2]);
        }
        XYIntervalSeriesCollection d = new XYIntervalSeriesCollection();
        d.addSeries(series);
        String title = String.format(java.util.Locale.ROOT, "%s (p50 %.1f us, p99 %.1f us, max %.1f us)",
                CAPTIONS.get("lateness"), s.percentile(0.5) / 1e3, s.percentile(0.99) / 1e3, s.max() / 1e3);
        JFreeChart chart = ChartFactory.createHistogram(title, "arrival lateness (us), against each connection's grid",
                "packets", d, PlotOrientation.VERTICAL, false, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYBarRenderer renderer = (XYBarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardXYBarPainter());
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, OURS);
        return chart;
    }

    private static void save(Map<String, Path> out, Path dir, String role, String file, JFreeChart chart)
            throws IOException {
        Path p = dir.resolve(file);
        int height = chart.getPlot() instanceof CategoryPlot cp
                ? Math.max(420, 120 + cp.getDataset().getColumnCount() * (18 * Math.max(2, cp.getDataset().getRowCount()) + 10))
                : 520;
        ChartUtils.saveChartAsPNG(p.toFile(), chart, WIDTH, height);
        out.put(role, p);
    }
}
