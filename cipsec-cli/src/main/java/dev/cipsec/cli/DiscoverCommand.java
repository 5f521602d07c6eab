package dev.cipsec.cli;

import dev.cipsec.scanner.Discovery;
import dev.cipsec.scanner.ListIdentityResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "discover", mixinStandardHelpOptions = true,
        description = {"Find EtherNet/IP devices with ListIdentity over UDP: broadcast, or unicast to targets and CIDR ranges "
                + "(sweeps reach subnets and VLANs that broadcasts do not).",
                "Replies that break the rules are listed with what is wrong, not dropped."})
final class DiscoverCommand implements Callable<Integer> {
    /** Output goes through the command line's writers, so tests and embedding code can capture it. */
    @Spec
    CommandSpec spec;

    @Option(names = "--broadcast", paramLabel = "ADDRESS",
            description = "Broadcast address (default 255.255.255.255 when no --targets are given).")
    String broadcast;

    @Option(names = {"-t", "--targets"}, paramLabel = "SPEC", split = ",",
            description = "Unicast targets: host, host:port or an IPv4 CIDR range /20../32; comma-separated or repeated.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--port", defaultValue = "44818", description = "UDP port to query (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "3",
            description = "How long to collect replies (default: ${DEFAULT-VALUE}).")
    double waitSeconds;

    @Option(names = "--max-delay", paramLabel = "MS", defaultValue = "500",
            description = "Max Response Delay asked of targets, ms (default: ${DEFAULT-VALUE}; targets raise 1-499 to 500, 0 means their default of about 2000).")
    int maxDelay;

    @Option(names = "--json", description = "Machine-readable JSON output.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (waitSeconds <= 0) {
            throw new IllegalArgumentException("--wait must be positive");
        }
        List<InetSocketAddress> dest = new ArrayList<>();
        for (String t : targets) {
            dest.addAll(Discovery.expand(t, port));
        }
        if (broadcast != null || dest.isEmpty()) {
            dest.add(new InetSocketAddress(InetAddress.getByName(broadcast == null ? "255.255.255.255" : broadcast), port));
        }
        List<ListIdentityResult> found = Discovery.listIdentity(dest, Duration.ofMillis((long) (waitSeconds * 1000)), maxDelay);
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (ListIdentityResult r : found) {
                out.add(Render.listIdentity(r));
            }
            spec.commandLine().getOut().println(JsonOut.write(out));
        } else {
            if (found.isEmpty()) {
                spec.commandLine().getOut().println("no devices answered");
            }
            for (ListIdentityResult r : found) {
                String what = r.identity().map(id -> String.format("%s (vendor %d, type 0x%04X, product %d, rev %d.%d, serial 0x%08X)",
                        id.productName(), id.vendorId(), id.deviceType(), id.productCode(), id.revisionMajor(),
                        id.revisionMinor(), id.serialNumber())).orElse("(no identity item)");
                spec.commandLine().getOut().println(r.source() + "  " + what);
                r.security().ifPresent(s -> spec.commandLine().getOut().println("    CIP Security: " + Render.security(s)));
                r.nonConformities().forEach(n -> spec.commandLine().getOut().println("    non-conforming: " + n));
            }
        }
        return Main.OK;
    }
}
