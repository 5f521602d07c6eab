package dev.cipsec.scanner;

import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationStatus;

import java.io.IOException;

/** The target answered at the encapsulation layer with a non-zero status (reference §1.4). */
public final class EncapsulationException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int command;
    private final long status;

    public EncapsulationException(int command, long status) {
        super(EncapsulationCommand.describe(command) + " refused with encapsulation status "
                + EncapsulationStatus.describe((int) status));
        this.command = command;
        this.status = status;
    }

    public int command() {
        return command;
    }

    public long status() {
        return status;
    }
}
