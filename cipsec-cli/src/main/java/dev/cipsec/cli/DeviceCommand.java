package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.objects.std.DeviceIdentity;
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

    @Option(names = "--product-name", paramLabel = "NAME", description = "Identity product name (attribute 7), at most 32 characters.")
    String productName;

    @Option(names = "--vendor-id", paramLabel = "ID", description = "Identity vendor ID (attribute 1): your ODVA vendor ID.")
    Integer vendorId;

    @Option(names = "--serial", paramLabel = "NUMBER", description = "Identity serial number (attribute 6), decimal or 0x hex.")
    String serial;

    @Override
    public Integer call() throws Exception {
        DeviceProfile p = profile == null ? DeviceProfile.defaults() : DeviceProfile.load(profile);
        if (productName != null || vendorId != null || serial != null) {
            DeviceIdentity id = p.identity();
            long serialNumber = id.serialNumber();
            if (serial != null) {
                String t = serial.strip();
                try {
                    serialNumber = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--serial is not a number: " + serial);
                }
            }
            p = p.withIdentity(new DeviceIdentity(vendorId == null ? id.vendorId() : vendorId, id.deviceType(), id.productCode(),
                    id.revisionMajor(), id.revisionMinor(), serialNumber, productName == null ? id.productName() : productName,
                    id.status(), id.state()));
        }
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
            try {
                stop.await();
            } catch (InterruptedException e) {
                // An embedding thread asked the device to stop: a clean end, not an error.
                Thread.currentThread().interrupt();
            }
        }
        return Main.OK;
    }
}
