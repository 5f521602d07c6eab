package dev.cipsec.commission.deploy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a deployment did to one device, for the operator and for scripts ({@link #toMap()} is the JSON
 * report's shape; docs/commissioning.md, "Reports").
 *
 * @param device             the policy's device name
 * @param target             host:port
 * @param result             what became of it
 * @param steps              the journal events this run wrote, in order
 * @param changes            what was written to the device, in words (never secrets)
 * @param presentedFingerprint SHA-256 of the certificate the device presented on the first connection ("" for PSK)
 * @param deviceFingerprint  SHA-256 of the certificate the device presents now ("" for a PSK-only device)
 * @param error              why it stopped, or null
 * @param elapsed            wall time of this run on the device
 */
public record DeviceReport(String device, String target, Result result, List<String> steps, List<String> changes,
                           String presentedFingerprint, String deviceFingerprint, Failure error, Duration elapsed) {
    public enum Result {
        /** Configured by this run (or the run finished what an interrupted one began). */
        CONFIGURED,
        /** Differential deployment: the journal shows this configuration already deployed; nothing was sent. */
        UNCHANGED,
        /** The device is not who the inventory says (fingerprint or identity): nothing was written. */
        REFUSED,
        /** The run stopped; the journal says how far it got and the next run goes on from there. */
        FAILED
    }

    /**
     * @param step          the journal step that failed
     * @param message       what happened, naming the service
     * @param generalStatus the device's CIP general status, or -1 when it did not answer with one
     * @param extendedStatus its additional status words
     */
    public record Failure(String step, String message, int generalStatus, List<Integer> extendedStatus) {
        public Failure {
            extendedStatus = List.copyOf(extendedStatus);
        }
    }

    public DeviceReport {
        steps = List.copyOf(steps);
        changes = List.copyOf(changes);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", device);
        m.put("target", target);
        m.put("result", result.name().toLowerCase(java.util.Locale.ROOT));
        m.put("steps", steps);
        m.put("changes", changes);
        m.put("presentedFingerprint", presentedFingerprint);
        m.put("deviceFingerprint", deviceFingerprint);
        if (error != null) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("step", error.step());
            e.put("message", error.message());
            if (error.generalStatus() >= 0) {
                e.put("generalStatus", String.format("0x%02X", error.generalStatus()));
                e.put("extendedStatus", error.extendedStatus().stream().map(s -> String.format("0x%04X", s)).toList());
            }
            m.put("error", e);
        }
        m.put("elapsedMillis", elapsed.toMillis());
        return m;
    }
}
