package dev.cipsec.scanner.probe;

import dev.cipsec.scanner.Discovery;
import dev.cipsec.scanner.ListIdentityResult;
import dev.cipsec.scanner.probe.ProbeReport.IdentityReport;
import dev.cipsec.scanner.probe.ProbeReport.TransportReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code cipsec probe}: TLS, DTLS and ListIdentity side by side (each transport runs on its own
 * thread, so the whole probe takes as long as the slowest), then the findings.
 */
public final class Probe {
    private Probe() {
    }

    /** @throws IOException when the host name does not resolve */
    public static ProbeReport run(ProbeOptions o) throws IOException {
        InetAddress address = InetAddress.getByName(o.host());
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<TransportReport> tls = o.tls() ? pool.submit(() -> TlsProbe.run(new InetSocketAddress(address, o.tlsPort()),
                    o.timeout(), o.maxAttempts())) : null;
            Future<TransportReport> dtls = o.dtls() ? pool.submit(() -> DtlsProbe.run(
                    new InetSocketAddress(address, o.dtlsPort()), o.timeout(), o.maxAttempts())) : null;
            Future<IdentityReport> identity = o.listIdentity() ? pool.submit(() -> listIdentity(
                    new InetSocketAddress(address, o.plainPort()), o.timeout())) : null;
            Optional<TransportReport> tlsReport = get(tls);
            Optional<TransportReport> dtlsReport = get(dtls);
            Optional<IdentityReport> idReport = get(identity);
            List<TransportReport> transports = new ArrayList<>();
            tlsReport.ifPresent(transports::add);
            dtlsReport.ifPresent(transports::add);
            List<Finding> findings = Findings.of(transports, idReport, Instant.now());
            return new ProbeReport(o.host(), started, Duration.ofNanos(System.nanoTime() - t0), tlsReport, dtlsReport,
                    idReport, findings);
        }
    }

    /** A send that fails (no route) is no answer, like silence: the plain port is optional. */
    static IdentityReport listIdentity(InetSocketAddress target, Duration timeout) {
        try {
            List<ListIdentityResult> replies = Discovery.listIdentity(List.of(target), timeout,
                    (int) Math.max(1, Math.min(500, timeout.toMillis() / 2)));
            return new IdentityReport(target.getPort(), replies.stream().findFirst());
        } catch (IOException e) {
            return new IdentityReport(target.getPort(), Optional.empty());
        }
    }

    private static <T> Optional<T> get(Future<T> f) throws IOException {
        if (f == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("probe interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(c);
        }
    }
}
