package org.gradlab.challenge.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.gradlab.nn.Module;
import org.gradlab.nn.io.SafeTensors;

/**
 * A trained model on disk: {@code DIR/models/<id>.safetensors} (the state dict) and {@code <id>.json} beside it
 * (the experiment as a study file, the data it needs and its scores), so {@code ./gradlab evaluate} can rebuild and
 * score it.
 */
public final class SavedModel {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SavedModel() {}

    public static Path weightsPath(Path outDir, String id) {
        return outDir.resolve("models").resolve(id + ".safetensors");
    }

    public static Path sidecarPath(Path weights) {
        String f = weights.getFileName().toString();
        return weights.resolveSibling(f.replaceFirst("\\.safetensors$", "") + ".json");
    }

    static void saveWeights(Path file, Module model) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafeTensors.save(file, model.stateDict());
    }

    static void loadWeights(Path file, Module model) throws IOException {
        model.loadStateDict(SafeTensors.load(file), true);
    }

    static void writeSidecar(Path weights, Map<String, Object> content) throws IOException {
        AtomicJson.write(sidecarPath(weights), JSON.writeValueAsString(content));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> readSidecar(Path weights) throws IOException {
        Path p = sidecarPath(weights);
        if (!Files.isRegularFile(p)) {
            throw new IOException(weights + ": no sidecar " + p + " beside it (written by ./gradlab study run)");
        }
        return JSON.readValue(p.toFile(), Map.class);
    }

    /** Writes text through a temporary file and a rename, so readers never see half a file. */
    static final class AtomicJson {
        private AtomicJson() {}

        static void write(Path p, String text) throws IOException {
            Files.createDirectories(p.toAbsolutePath().getParent());
            Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
