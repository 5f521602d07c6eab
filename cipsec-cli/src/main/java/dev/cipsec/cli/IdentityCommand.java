package dev.cipsec.cli;

import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.IdentityInfo;
import dev.cipsec.scanner.ListIdentityResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "identity", mixinStandardHelpOptions = true,
        description = "Read a target's identity: ListIdentity over TCP and the Identity object (Get_Attributes_All).")
final class IdentityCommand implements Callable<Integer> {
    /** Output goes through the command line's writers, so tests and embedding code can capture it. */
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", description = "host or host:port (host:2221 = CIP Security)")
    String target;

    @Mixin
    ClientOptionsMixin common;

    @Override
    public Integer call() throws Exception {
        try (ClientOptionsMixin.ClientSetup setup = common.setup(target);
             CipClient client = CipClient.connect(setup.target(), setup.options())) {
            ListIdentityResult li = client.listIdentity();
            IdentityInfo id = client.identity();
            Map<String, Object> out = Render.identity(id);
            out.put("target", client.target().toString());
            out.put("listIdentity", Render.listIdentity(li));
            if (common.json) {
                spec.commandLine().getOut().println(JsonOut.write(out));
            } else {
                spec.commandLine().getOut().printf("%s: %s (vendor %d, device type 0x%04X, product code %d, revision %s, serial 0x%08X)%n",
                        client.target(), id.productName(), id.vendorId(), id.deviceType(), id.productCode(), id.revision(),
                        id.serialNumber());
                spec.commandLine().getOut().printf("  status 0x%04X, state %s%n", id.status(),
                        id.state() == IdentityInfo.STATE_UNKNOWN ? "not reported" : Integer.toString(id.state()));
                spec.commandLine().getOut().println("  CIP Security: " + (li.security().isPresent() ? Render.security(li.security().get()) : "not advertised"));
                li.nonConformities().forEach(n -> spec.commandLine().getOut().println("  non-conforming reply: " + n));
            }
            return Main.OK;
        }
    }
}
