package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.objects.std.AssemblyInstance;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Discovery;
import dev.cipsec.scanner.ExplicitConnection;
import dev.cipsec.scanner.IdentityInfo;
import dev.cipsec.scanner.ListIdentityResult;
import dev.cipsec.scanner.Target;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.epath.EPath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The main job on embedded defaults: starts an adapter on loopback and drives it with our client,
 * checking every answer. Later issues turn this into the secured demo (TLS on 2221).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start an adapter on loopback, run a client against it and print what happened:",
                "discovery, session, identity, Get/Set_Attribute_Single, assembly read-back, a class 3 connection and a refused request.",
                "Exits 0 only when every step gave the expected answer."})
final class DemoCommand implements Callable<Integer> {
    /** Output goes through the command line's writers, so tests and embedding code can capture it. */
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Machine-readable JSON output.")
    boolean json;

    private final List<Map<String, Object>> steps = new ArrayList<>();
    private boolean failed;

    @Override
    public Integer call() throws Exception {
        DeviceProfile profile = DeviceProfile.defaults().onEphemeralPorts();
        try (CipDevice device = CipDevice.start(profile)) {
            mirror(device, "150:100");
            say("adapter", "'" + profile.identity().productName() + "' listening on tcp " + device.tcpAddress()
                    + ", udp " + device.udpAddress() + " (plain EtherNet/IP)", true);

            InetSocketAddress udp = device.udpAddress();
            List<ListIdentityResult> found = Discovery.listIdentity(List.of(udp), Duration.ofSeconds(3), 500);
            say("discover", found.size() == 1 ? "ListIdentity over UDP answered by " + found.get(0).identity()
                    .map(i -> i.productName() + " serial " + String.format("0x%08X", i.serialNumber())).orElse("?")
                    : found.size() + " replies", found.size() == 1 && found.get(0).conforming());

            Target target = new Target(device.tcpAddress().getAddress().getHostAddress(), device.tcpAddress().getPort(), false);
            try (CipClient client = CipClient.connect(target, ClientOptions.defaults())) {
                say("session", String.format("RegisterSession -> handle 0x%08X", client.sessionHandle()), client.sessionHandle() != 0);

                IdentityInfo id = client.identity();
                say("identity", String.format("Get_Attributes_All 1/1 -> %s, vendor %d, type 0x%02X, product %d, rev %s",
                        id.productName(), id.vendorId(), id.deviceType(), id.productCode(), id.revision()),
                        id.productName().equals(profile.identity().productName()));

                Bytes name = client.getAttributeSingle(EPath.parse("1/1/7"));
                say("get", "Get_Attribute_Single 1/1/7 (product name) -> " + ValueFormat.SHORT_STRING.render(name),
                        ValueFormat.SHORT_STRING.render(name).equals(profile.identity().productName()));

                Bytes timeout = client.getAttributeSingle(EPath.parse("0xF5/1/13"));
                say("get", "Get_Attribute_Single 0xF5/1/13 (encapsulation inactivity timeout) -> "
                        + ValueFormat.UINT.render(timeout) + " s", timeout.length() == 2);

                byte[] pattern = new byte[32];
                for (int i = 0; i < pattern.length; i++) {
                    pattern[i] = (byte) (i * 7 + 1);
                }
                client.setAttributeSingle(EPath.parse("4/150/3"), Bytes.of(pattern));
                say("set", "Set_Attribute_Single 4/150/3 (output assembly, 32 bytes) -> success", true);

                Bytes input = client.getAttributeSingle(EPath.parse("4/100/3"));
                say("assembly", "Get_Attribute_Single 4/100/3 (input assembly, mirrored by the device) -> " + input.toHex(),
                        input.equals(Bytes.of(pattern)));

                try (ExplicitConnection conn = client.openExplicitConnection()) {
                    Bytes vendor = conn.getAttributeSingle(EPath.parse("1/1/1"));
                    say("class 3", String.format("Forward_Open O->T 0x%08X T->O 0x%08X; connected Get 1/1/1 -> vendor %s; Forward_Close",
                            conn.otConnectionId(), conn.toConnectionId(), ValueFormat.UINT.render(vendor)),
                            ValueFormat.UINT.render(vendor).equals(Integer.toString(profile.identity().vendorId())));
                }

                try {
                    client.getAttributeSingle(EPath.parse("1/1/99"));
                    say("refused", "Get_Attribute_Single 1/1/99 unexpectedly succeeded", false);
                } catch (CipServiceException e) {
                    say("refused", "Get_Attribute_Single 1/1/99 -> " + GeneralStatus.describe(e.generalStatus()),
                            e.generalStatus() == GeneralStatus.ATTRIBUTE_NOT_SUPPORTED);
                }
            }
            var stats = device.stats();
            say("device", "served " + stats.unconnectedRequests() + " unconnected and " + stats.connectedRequests()
                    + " connected requests, " + stats.sessionsRegistered() + " session(s)", true);
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ok", !failed);
            out.put("steps", steps);
            spec.commandLine().getOut().println(JsonOut.write(out));
        } else {
            spec.commandLine().getOut().println(failed ? "demo FAILED" : "demo ok: every step gave the expected answer");
        }
        return failed ? Main.REFUSED : Main.OK;
    }

    private void say(String step, String what, boolean ok) {
        failed |= !ok;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("ok", ok);
        m.put("detail", what);
        steps.add(m);
        if (!json) {
            spec.commandLine().getOut().printf("%-9s %s %s%n", step, ok ? "ok  " : "FAIL", what);
        }
    }

    /** Makes every write of output assembly OUT appear in input assembly IN ("150:100"). */
    static void mirror(CipDevice device, String spec) {
        String[] parts = spec.split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--mirror takes OUT:IN, e.g. 150:100");
        }
        AssemblyInstance out = device.assembly(Integer.parseInt(parts[0].strip()));
        AssemblyInstance in = device.assembly(Integer.parseInt(parts[1].strip()));
        if (out == null || in == null) {
            throw new IllegalArgumentException("no such assembly in " + spec);
        }
        if (out.size() != in.size()) {
            throw new IllegalArgumentException("assemblies " + spec + " differ in size");
        }
        out.addListener((assembly, data, source) -> in.write(data));
    }
}
