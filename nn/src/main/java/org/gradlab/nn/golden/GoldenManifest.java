package org.gradlab.nn.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gradlab.engine.io.Npz;

/**
 * The "cases" section of a fixture's entry in the MANIFEST.json (or MANIFEST-v2.json) beside it:
 * each case's parameters as PyTorch ran it, so the suites read them instead of repeating them.
 */
public final class GoldenManifest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldenManifest() {}

    /** The cases of {@code npz}'s file; a clear error when no manifest beside it lists the file. */
    public static JsonNode cases(Npz npz) {
        Path file = npz.path();
        String name = file.getFileName().toString();
        for (String manifest : new String[] {"MANIFEST.json", "MANIFEST-v2.json"}) {
            Path m = file.resolveSibling(manifest);
            if (!Files.isRegularFile(m)) {
                continue;
            }
            try {
                JsonNode entry = JSON.readTree(m.toFile()).path(name);
                if (entry.has("cases")) {
                    return entry.get("cases");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + m, e);
            }
        }
        throw new IllegalArgumentException("no MANIFEST.json beside " + file + " lists the cases of " + name);
    }
}
