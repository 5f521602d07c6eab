package dev.cipsec.cli;

import picocli.CommandLine.Option;

/** How `get` and `set` type the value and reach the target; shared so both read the same. */
final class ValueOptionsMixin {
    @Option(names = "--as", paramLabel = "TYPE", defaultValue = "hex",
            description = "Value type: hex, bool, usint, uint, udint, sint, int, dint, real or short_string (default: ${DEFAULT-VALUE}).")
    String as;

    @Option(names = "--connected", description = "Use a class 3 connection (Forward_Open) instead of an unconnected request.")
    boolean connected;

    ValueFormat format() {
        return ValueFormat.parse(as);
    }
}
