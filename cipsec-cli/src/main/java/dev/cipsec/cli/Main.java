package dev.cipsec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code cipsec} command. Exit codes: 0 ok; 1 the peer refused or a check failed; 2 usage
 * error; 3 I/O error or timeout; 4 the TLS handshake failed (an alert, a refused certificate).
 */
@Command(name = "cipsec", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "EtherNet/IP and CIP Security toolkit: run a device, discover, read and write attributes, commission CIP Security.",
        subcommands = {DemoCommand.class, DeviceCommand.class, DiscoverCommand.class, IdentityCommand.class,
                TlsInfoCommand.class, ProbeCommand.class, GetCommand.class, SetCommand.class, IoCommand.class, SecurityCommand.class, CaCommand.class, PolicyCommand.class, CommissionCommand.class, TrustCommand.class, EstServerCommand.class, dev.cipsec.cli.bench.BenchCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the peer refused (CIP or encapsulation error) or a check failed",
                "2:usage error", "3:I/O error or timeout",
                "4:TLS handshake failed (alert sent or received, certificate refused, handshake timeout)"})
public final class Main implements Runnable {
    @CommandLine.Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Log more: -v INFO, -vv DEBUG, -vvv TRACE (to stderr).")
    boolean[] verbosity = new boolean[0];

    public static final int OK = 0;
    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    public static final int IO = 3;
    /** Kept apart from {@link #IO}: a wrong key or an untrusted certificate needs a different fix than a dead link. */
    public static final int TLS = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    public static void main(String[] args) {
        configureLogging(args);
        System.exit(execute(args));
    }

    /**
     * -v shows INFO, -vv DEBUG, -vvv TRACE (hex dumps). Done before any logger exists, because
     * slf4j-simple reads its level once.
     */
    static void configureLogging(String[] args) {
        String level = null;
        for (String a : args) {
            switch (a) {
                case "-v", "--verbose" -> level = "info";
                case "-vv" -> level = "debug";
                case "-vvv" -> level = "trace";
                default -> {
                }
            }
        }
        if (level != null && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        }
    }

    /** Runs the command line and returns its exit code (tests call this instead of main). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** Runs the command line with its output and error text going to the given writers. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExitCodeExceptionMapper(ExitCodes::forException);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            int code = ExitCodes.forException(ex);
            // A certificate refused and kept by --trust DIR: the same line says how to trust it.
            String hint = code == TLS ? TlsOptions.of(line.getCommandSpec()).flatMap(TlsOptions::rejectionHint)
                    .map(h -> "; " + h).orElse("") : "";
            line.getErr().println("cipsec: " + ExitCodes.message(ex) + hint);
            return code;
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"cipsec " + (v == null ? "development build" : v)};
        }
    }
}
