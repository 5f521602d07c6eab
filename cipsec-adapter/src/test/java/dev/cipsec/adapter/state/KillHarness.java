package dev.cipsec.adapter.state;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Starts a main class in a small child JVM, waits for a line on its stdout (such as {@code READY}) and kills it with
 * SIGKILL ({@link Process#destroyForcibly()} on Linux) after a delay: the building block of crash-consistency tests.
 *
 * <pre>{@code
 * try (KillHarness.Child child = KillHarness.of(MyLoop.class).start(dir.toString())) {
 *     child.awaitLine("READY", Duration.ofSeconds(20));
 *     child.killAfter(Duration.ofNanos(delay));
 *     List<String> said = child.output();   // every line written before the kill
 * }
 * }</pre>
 *
 * <p>The child runs the java binary of this JVM with the test class path and {@link #SMALL_JVM} options, which
 * start it in well under a second: no JIT beyond C1, a small heap, the serial collector, the default CDS archive.
 * stderr is merged into stdout so a child's stack trace shows up in {@link Child#output()}.
 *
 * <p>The child writes into a temporary file, not a pipe, and the harness reads that file as it grows. Read from a
 * pipe, the last lines a child wrote just before SIGKILL were sometimes missing from what the JDK's process stream
 * returned (the JDK drains and swaps the pipe when it reaps the process): a child printing a line to stdout and then
 * to a file lost the last line in 21 of 300 kills. A crash-consistency test compares what the child said it had
 * committed with what a restart finds, so a lost last line looked like a lost commit (the device kill test failed on
 * it once in CI). A file keeps every byte a write(2) put there before the kill.
 */
public final class KillHarness {
    /** Options that keep a child JVM cheap to start and small. */
    public static final List<String> SMALL_JVM = List.of(
            "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx64m", "-XX:+UseSerialGC", "-XX:-UsePerfData");

    private final Class<?> mainClass;
    private final List<String> jvmOptions;
    private final String classPath;

    private KillHarness(Class<?> mainClass, List<String> jvmOptions, String classPath) {
        this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classPath = Objects.requireNonNull(classPath, "classPath");
    }

    /** A harness for {@code mainClass} (needs a {@code public static void main(String[])}) on this JVM's class path. */
    public static KillHarness of(Class<?> mainClass) {
        return new KillHarness(mainClass, SMALL_JVM, System.getProperty("java.class.path"));
    }

    /** The same harness with {@code options} added after {@link #SMALL_JVM} (e.g. {@code -Dkey=value}). */
    public KillHarness withJvmOptions(String... options) {
        List<String> all = new ArrayList<>(jvmOptions);
        all.addAll(List.of(options));
        return new KillHarness(mainClass, all, classPath);
    }

    /**
     * The same harness with a class path of only the jars or directories holding {@code mainClass} and {@code classes}.
     * A child then starts faster than on the whole test class path: service lookups such as SLF4J's scan every jar.
     */
    public KillHarness withClassPathOf(Class<?>... classes) {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(location(mainClass));
        for (Class<?> c : classes) {
            entries.add(location(c));
        }
        return new KillHarness(mainClass, jvmOptions, String.join(File.pathSeparator, entries));
    }

    private static String location(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalArgumentException(c.getName() + " comes from the JDK, not from the class path");
        }
        try {
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(c.getName() + ": odd code source " + source.getLocation(), e);
        }
    }

    /** The command line {@link #start} runs. */
    public List<String> command(String... args) {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java binary runs this JVM"));
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts the child; close the returned handle to make sure it is gone (and its output file deleted). */
    public Child start(String... args) throws IOException {
        Path log = Files.createTempFile("kill-harness-" + mainClass.getSimpleName(), ".log");
        Process process;
        try {
            process = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(log);
            throw e;
        }
        // Nothing is ever typed to a child: end its stdin so one that reads it sees EOF instead of hanging.
        process.getOutputStream().close();
        return new Child(process, log, mainClass.getSimpleName());
    }

    /** A running child JVM and the lines it has written so far. */
    public static final class Child implements AutoCloseable {
        /** How long the reader waits for the child to write more (it wakes at once when the child ends). */
        private static final long POLL_MILLIS = 2;
        private final Process process;
        private final Path log;
        private final Thread reader;
        private final List<String> lines = new ArrayList<>();
        private boolean eof;
        private int cursor;

        private Child(Process process, Path log, String name) {
            this.process = process;
            this.log = log;
            this.reader = Thread.ofPlatform().daemon().name("kill-harness-" + name + "-" + process.pid())
                    .start(this::drain);
        }

        /** Follows the output file until the child has ended and everything it wrote has been read. */
        private void drain() {
            ByteArrayOutputStream partial = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try (InputStream in = Files.newInputStream(log)) {
                while (true) {
                    // Looked at before reading: once the child is gone, one more read reaches the end of all it wrote.
                    boolean ended = !process.isAlive();
                    boolean any = false;
                    for (int n; (n = in.read(buf)) > 0; ) {
                        any = true;
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == '\n') {
                                addLine(partial);
                            } else {
                                partial.write(buf[i]);
                            }
                        }
                    }
                    if (ended) {
                        break;
                    }
                    if (!any) {
                        process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS);
                    }
                }
                if (partial.size() > 0) {
                    // A last line cut short by the kill, as a reader of a pipe would also return it.
                    addLine(partial);
                }
            } catch (IOException e) {
                // The file is gone (the handle was closed): the lines read so far are all there is.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                synchronized (this) {
                    eof = true;
                    notifyAll();
                }
            }
        }

        private void addLine(ByteArrayOutputStream partial) {
            String line = partial.toString(StandardCharsets.UTF_8);
            partial.reset();
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            synchronized (this) {
                lines.add(line);
                notifyAll();
            }
        }

        public long pid() {
            return process.pid();
        }

        /** Waits for the next line (after the last one this method returned) equal to {@code line}. */
        public String awaitLine(String line, Duration timeout) throws IOException, InterruptedException {
            return awaitLine(line::equals, timeout);
        }

        /**
         * Waits for the next line (after the last one this method returned) that matches {@code wanted}.
         *
         * @throws IOException when the child ends or the timeout passes first; the message holds its output
         */
        public synchronized String awaitLine(Predicate<String> wanted, Duration timeout)
                throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                while (cursor < lines.size()) {
                    String line = lines.get(cursor++);
                    if (wanted.test(line)) {
                        return line;
                    }
                }
                if (eof) {
                    throw new IOException("child " + pid() + " ended before the expected line; output:\n" + joined());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("child " + pid() + " did not write the expected line within " + timeout
                            + "; output:\n" + joined());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        /**
         * Lets the child run for up to {@code delay}, then kills it with SIGKILL and waits until it is gone and its
         * output is drained.
         *
         * @return true when it had to be killed, false when it ended by itself within the delay
         */
        public boolean killAfter(Duration delay) throws InterruptedException {
            boolean ended = !delay.isNegative() && !delay.isZero()
                    ? process.waitFor(delay.toNanos(), TimeUnit.NANOSECONDS)
                    : !process.isAlive();
            if (!ended) {
                process.destroyForcibly();
            }
            process.waitFor();
            reader.join(Duration.ofSeconds(10));
            return !ended;
        }

        /** Waits for the child to end by itself; returns its exit code. */
        public int awaitExit(Duration timeout) throws IOException, InterruptedException {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("child " + pid() + " still running after " + timeout + "; output:\n" + joined());
            }
            reader.join(Duration.ofSeconds(10));
            return process.exitValue();
        }

        /** Every line the child has written so far (complete once it has ended). */
        public synchronized List<String> output() {
            return List.copyOf(lines);
        }

        private synchronized String joined() {
            return String.join("\n", lines);
        }

        /** Kills the child if it still runs and deletes its output file. */
        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            process.waitFor();
            reader.join(Duration.ofSeconds(10));
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // A temporary file left behind; nothing to fail a test for.
            }
        }
    }
}
