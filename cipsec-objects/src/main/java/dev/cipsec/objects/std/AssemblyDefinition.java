package dev.cipsec.objects.std;

import java.util.Objects;

/**
 * One assembly instance of a device profile.
 *
 * @param instanceId assembly instance (also its connection point), 1..0xFFFF
 * @param size       data size in bytes, fixed for the instance's life
 * @param kind       input, output or configuration
 */
public record AssemblyDefinition(int instanceId, int size, AssemblyKind kind) {
    public AssemblyDefinition {
        if (instanceId < 1 || instanceId > 0xFFFF) {
            throw new IllegalArgumentException("assembly instance must be 1..65535: " + instanceId);
        }
        if (size < 0 || size > 0xFFFF) {
            throw new IllegalArgumentException("assembly size must be 0..65535: " + size);
        }
        Objects.requireNonNull(kind, "kind");
    }

    public static AssemblyDefinition input(int id, int size) {
        return new AssemblyDefinition(id, size, AssemblyKind.INPUT);
    }

    public static AssemblyDefinition output(int id, int size) {
        return new AssemblyDefinition(id, size, AssemblyKind.OUTPUT);
    }

    public static AssemblyDefinition configuration(int id, int size) {
        return new AssemblyDefinition(id, size, AssemblyKind.CONFIGURATION);
    }
}
