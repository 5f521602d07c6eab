package dev.cipsec.commission.policy;

import dev.cipsec.commission.json.JsonException;
import dev.cipsec.commission.json.JsonReader;

import java.io.IOException;
import java.nio.file.Path;

/** Reads policy files. */
public final class PolicyFile {
    private PolicyFile() {
    }

    /**
     * Reads a policy file. A file that is not JSON still gives a model, whose only problem is the syntax
     * error; the model's problems are reported under the path as given.
     *
     * @throws IOException when the file cannot be read at all (missing, a directory, unreadable)
     */
    public static PolicyModel load(Path file) throws IOException {
        String name = file.toString();
        try {
            return PolicyModel.of(name, JsonReader.read(file));
        } catch (JsonException e) {
            return PolicyModel.syntaxError(name, e);
        }
    }
}
