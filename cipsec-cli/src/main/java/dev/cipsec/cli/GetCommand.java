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

@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Read an attribute (Get_Attribute_Single), or a whole instance (Get_Attributes_All) when PATH has no attribute.")
final class GetCommand implements Callable<Integer> {
    /** Output goes through the command line's writers, so tests and embedding code can capture it. */
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", description = "host or host:port (host:2221 = CIP Security, over TLS)")
    String target;

    @Parameters(index = "1", paramLabel = "PATH", description = "class/instance[/attribute], decimal or 0x-hex, e.g. 1/1/7 or 0x04/100/3")
    String path;

    @Mixin
    ValueOptionsMixin valueOptions;

    @Mixin
    ClientOptionsMixin common;

    @Override
    public Integer call() throws Exception {
        EPath p = EPath.parse(path);
        ValueFormat format = valueOptions.format();
        try (ClientOptionsMixin.ClientSetup setup = common.setup(target);
             CipClient client = CipClient.connect(setup.target(), setup.options())) {
            Bytes value;
            boolean all = p.attributeId() < 0;
            if (valueOptions.connected) {
                try (var conn = client.openExplicitConnection()) {
                    value = all ? conn.getAttributesAll(p) : conn.getAttributeSingle(p);
                }
            } else {
                value = all ? client.getAttributesAll(p) : client.getAttributeSingle(p);
            }
            if (common.json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("target", client.target().toString());
                out.put("path", path);
                out.put("service", all ? "Get_Attributes_All" : "Get_Attribute_Single");
                out.put("hex", value.toHex());
                if (format != ValueFormat.HEX) {
                    out.put("value", format.render(value));
                }
                spec.commandLine().getOut().println(JsonOut.write(out));
            } else {
                spec.commandLine().getOut().println(format.render(value));
            }
            return Main.OK;
        }
    }
}
