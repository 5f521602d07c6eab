package dev.cipsec.commission.policy;

import java.util.List;
import java.util.Objects;

/**
 * What deploying a policy would change on one device.
 *
 * @param device  the device's name
 * @param kind    added, removed, changed or unchanged
 * @param changes each changed field in words ({@code "address 10.0.1.10 -> 10.0.1.11"}); empty unless changed
 */
public record DeviceChange(String device, Kind kind, List<String> changes) {
    public enum Kind { ADDED, REMOVED, CHANGED, UNCHANGED }

    public DeviceChange {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(kind, "kind");
        changes = List.copyOf(changes);
    }
}
