package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "device", mixinStandardHelpOptions = true,
        description = {"Run an EtherNet/IP adapter until interrupted (Ctrl-C).",
                "The device is described by a JSON profile (see docs/device-profile.md); flags override it."})
final class DeviceCommand implements Callable<Integer> {
    /** Output goes through the command line's writers, so tests and embedding code can capture it. */
    @Spec
    CommandSpec spec;

    @Option(names = "--profile", paramLabel = "FILE", description = "Device profile (JSON). Without it the built-in default device runs.")
    Path profile;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on (profile default: 127.0.0.1; 0.0.0.0 for all interfaces).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", description = "TCP encapsulation port (default 44818; 0 = any free port).")
    Integer port;

    @Option(names = "--udp-port", paramLabel = "PORT", description = "UDP ListIdentity port (default 44818; 0 = any free port, -1 = off).")
    Integer udpPort;

    @Option(names = "--mirror", paramLabel = "OUT:IN",
            description = "Copy every write of output assembly OUT into input assembly IN (a loopback application, like OpENer's sample), e.g. 150:100.")
    String mirror;

    @Override
    public Integer call() throws Exception {
        DeviceProfile p = profile == null ? DeviceProfile.defaults() : DeviceProfile.load(profile);
        if (bind != null || port != null || udpPort != null) {
            p = p.withBinding(bind == null ? p.bindAddress() : InetAddress.getByName(bind),
                    port == null ? p.tcpPort() : port, udpPort == null ? p.udpPort() : udpPort);
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (CipDevice device = CipDevice.start(p)) {
            if (mirror != null) {
                DemoCommand.mirror(device, mirror);
            }
            // The JVM exits once shutdown hooks return, so the hook itself closes the device.
            Runtime.getRuntime().addShutdownHook(new Thread(device::close, "cipsec-shutdown"));
            spec.commandLine().getOut().println("device '" + p.identity().productName() + "' listening on tcp " + device.tcpAddress()
                    + (device.udpAddress() == null ? "" : ", udp " + device.udpAddress()));
            spec.commandLine().getOut().flush();
            stop.await();
        }
        return Main.OK;
    }
}
