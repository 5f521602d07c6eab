package dev.cipsec.cli;

import dev.cipsec.scanner.CipClient;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.epath.EPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "set", mixinStandardHelpOptions = true, description = "Write an attribute (Set_Attribute_Single).")
final class SetCommand implements Callable<Integer> {
    /** Output goes through the command line's writers, so tests and embedding code can capture it. */
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", description = "host or host:port (host:2221 = CIP Security, over TLS)")
    String target;

    @Parameters(index = "1", paramLabel = "PATH", description = "class/instance/attribute, e.g. 4/150/3")
    String path;

    @Parameters(index = "2", paramLabel = "VALUE", description = "the value, in the type given by --as (hex by default, e.g. 0x0102 or \"01 02\")")
    String value;

    @Mixin
    ValueOptionsMixin valueOptions;

    @Mixin
    ClientOptionsMixin common;

    @Override
    public Integer call() throws Exception {
        EPath p = EPath.parse(path);
        if (p.attributeId() < 0) {
            throw new IllegalArgumentException("PATH must name an attribute: class/instance/attribute");
        }
        Bytes data = valueOptions.format().encode(value);
        try (ClientOptionsMixin.ClientSetup setup = common.setup(target);
             CipClient client = CipClient.connect(setup.target(), setup.options())) {
            if (valueOptions.connected) {
                try (var conn = client.openExplicitConnection()) {
                    conn.setAttributeSingle(p, data);
                }
            } else {
                client.setAttributeSingle(p, data);
            }
            if (common.json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("target", client.target().toString());
                out.put("path", path);
                out.put("written", data.toHex());
                spec.commandLine().getOut().println(JsonOut.write(out));
            } else {
                spec.commandLine().getOut().println("ok: wrote " + data.length() + " bytes to " + path);
            }
            return Main.OK;
        }
    }
}
