package dev.cipsec.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cipsec bench}: benchmarks of our own code, each against a baseline measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks of our adapter, scanner and EST server, with a baseline in the same run.",
        subcommands = {IoBenchCommand.class, EstBenchCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a benchmark is required, e.g. bench io");
    }
}
