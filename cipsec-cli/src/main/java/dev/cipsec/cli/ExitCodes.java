package dev.cipsec.cli;

import dev.cipsec.scanner.EncapsulationException;
import dev.cipsec.wire.cip.CipServiceException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Maps failures to the documented exit codes. */
final class ExitCodes {
    private ExitCodes() {
    }

    static int forException(Throwable t) {
        if (t instanceof CommandLine.ParameterException || t instanceof IllegalArgumentException) {
            return Main.USAGE;
        }
        if (t instanceof CipServiceException || t instanceof EncapsulationException || t instanceof CheckFailedException) {
            return Main.REFUSED;
        }
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            return Main.IO;
        }
        return Main.IO;
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /** A check the user asked for did not hold. */
    static final class CheckFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        CheckFailedException(String message) {
            super(message);
        }
    }
}
