package dev.cipsec.commission.deploy;

import dev.cipsec.commission.json.JsonWriter;
import dev.cipsec.commission.policy.DevicePolicy;
import dev.cipsec.transport.tls.cert.AtomicFiles;
import dev.cipsec.transport.tls.cert.Identity;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * A policy deployed to a fleet: each device by its own {@link Commissioner} run, at most
 * {@link DeploymentOptions#parallelism()} at once, each run's report written to
 * {@code <state>/reports/<device>.json} as soon as it ends. One deployment per state directory at a time
 * (a lock file), so two operators cannot interleave journals.
 */
public final class Deployment {
    /** Told about each device as it starts and ends, from the thread that ran it. */
    public interface Listener {
        default void started(DevicePolicy device) {
        }

        default void finished(DeviceReport report) {
        }
    }

    /** Every device's report, in the policy's order. */
    public record Summary(List<DeviceReport> reports, Duration elapsed) {
        public Summary {
            reports = List.copyOf(reports);
        }

        public long count(DeviceReport.Result result) {
            return reports.stream().filter(r -> r.result() == result).count();
        }

        /** Whether every device ended configured or unchanged. */
        public boolean allGood() {
            return reports.stream().allMatch(r -> r.result() == DeviceReport.Result.CONFIGURED
                    || r.result() == DeviceReport.Result.UNCHANGED);
        }
    }

    private final Path stateDir;
    private final CertificateAuthority ca;
    private final DeploymentOptions options;

    public Deployment(Path stateDir, CertificateAuthority ca, DeploymentOptions options) {
        this.stateDir = stateDir;
        this.ca = ca;
        this.options = options;
    }

    public Summary run(List<DevicePolicy> devices, Listener listener) throws IOException, GeneralSecurityException,
            InterruptedException {
        Set<String> names = new HashSet<>();
        for (DevicePolicy d : devices) {
            Commissioner.deviceDir(stateDir, d.name());
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("device '" + d.name() + "' appears twice");
            }
        }
        Files.createDirectories(stateDir);
        long start = System.nanoTime();
        try (FileChannel lockFile = FileChannel.open(stateDir.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                throw new IOException(stateDir + " is in use by another deployment");
            }
            Identity tool = ToolIdentity.loadOrCreate(stateDir, ca);
            Commissioner commissioner = new Commissioner(stateDir, ca, tool, options);
            List<DeviceReport> reports = new ArrayList<>(Collections.nCopies(devices.size(), null));
            Semaphore slots = new Semaphore(options.parallelism());
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<DeviceReport>> futures = new ArrayList<>();
                for (DevicePolicy d : devices) {
                    futures.add(pool.submit(() -> {
                        slots.acquire();
                        try {
                            listener.started(d);
                            DeviceReport r = commissioner.deploy(d);
                            writeReport(r);
                            listener.finished(r);
                            return r;
                        } finally {
                            slots.release();
                        }
                    }));
                }
                for (int i = 0; i < futures.size(); i++) {
                    try {
                        reports.set(i, futures.get(i).get());
                    } catch (ExecutionException e) {
                        Throwable cause = e.getCause();
                        if (cause instanceof IOException io) {
                            throw io;
                        }
                        throw new IOException("deploying " + devices.get(i).name() + ": " + cause, cause);
                    }
                }
            }
            return new Summary(reports, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private void writeReport(DeviceReport r) throws IOException {
        Path file = stateDir.resolve("reports").resolve(r.device() + ".json");
        AtomicFiles.write(file, (JsonWriter.write(r.toMap())).getBytes(StandardCharsets.UTF_8), false);
    }

    /** The state directory's report file for {@code device}. */
    public static Path reportFile(Path stateDir, String device) {
        return stateDir.resolve("reports").resolve(device + ".json");
    }
}
