package dev.cipsec.objects.security;

import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.CertificateReference;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One Certificate Management instance's state (reference §6.2), immutable so that a change can be
 * rolled back by putting the previous value back when it cannot be persisted.
 *
 * @param name    attribute 1
 * @param state   attribute 2: 1 created, 2 configuring, 3 verified, 4 invalid
 * @param device  attribute 3: the device certificate's status and File instance path (empty path: none)
 * @param ca      attribute 4: the CA certificate's status and File instance path (empty path: none)
 * @param csrFile the File instance holding this instance's last CSR, if any
 */
public record CertificateEntry(String name, int state, CertificateReference device, CertificateReference ca,
                               OptionalLong csrFile) {
    public static final int CREATED = 1;
    public static final int CONFIGURING = 2;
    public static final int VERIFIED = 3;
    public static final int INVALID = 4;
    public static final int MAX_NAME = 32;

    public CertificateEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(csrFile, "csrFile");
        if (state < 0 || state > 0xFF) {
            throw new IllegalArgumentException("state is a USINT: " + state);
        }
    }

    /** A new instance from Create: no certificates yet. */
    public static CertificateEntry created(String name) {
        CertificateReference none = new CertificateReference(CertificateReference.NOT_VERIFIED, EPath.EMPTY);
        return new CertificateEntry(name, CREATED, none, none, OptionalLong.empty());
    }

    public CertificateEntry withState(int s) {
        return new CertificateEntry(name, s, device, ca, csrFile);
    }

    public CertificateEntry withDevice(CertificateReference d) {
        return new CertificateEntry(name, state, d, ca, csrFile);
    }

    public CertificateEntry withCa(CertificateReference c) {
        return new CertificateEntry(name, state, device, c, csrFile);
    }

    public CertificateEntry withCsrFile(OptionalLong f) {
        return new CertificateEntry(name, state, device, ca, f);
    }
}
