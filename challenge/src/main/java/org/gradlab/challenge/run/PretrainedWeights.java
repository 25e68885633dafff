package org.gradlab.challenge.run;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gradlab.challenge.data.Download;
import org.gradlab.challenge.data.Failures;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.io.KeyMapper;
import org.gradlab.nn.io.TorchCheckpoint;

/**
 * torchvision's ImageNet ResNet-18 weights for experiments 23–25: from {@code --weights FILE}, or
 * downloaded once into the cache and checked against the sha256 prefix in the file name
 * ({@code resnet18-f37072fd.pth}). When neither works the caller trains from random
 * initialisation and says so in every output.
 */
final class PretrainedWeights {
    static final String URL = "https://download.pytorch.org/models/resnet18-f37072fd.pth";
    static final String SHA256_PREFIX = "f37072fd";

    /** Weights, or null with the reason they could not be had. */
    record Outcome(Map<String, Tensor> weights, String source, String reason) {}

    private Map<String, Tensor> cached;
    private String cachedSource;
    private String failure;

    Outcome get(Path weightsFile, Path cacheDir) {
        if (cached != null || failure != null) {
            return new Outcome(cached, cachedSource, failure);
        }
        try {
            Path file = weightsFile != null ? weightsFile : download(cacheDir);
            cached = TorchCheckpoint.load(file);
            cachedSource = file.toString();
        } catch (IOException | RuntimeException e) {
            failure = e.getMessage() != null ? e.getMessage() : Failures.describe(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        return new Outcome(cached, cachedSource, failure);
    }

    static Path download(Path cacheDir) throws IOException, InterruptedException {
        try {
            return Download.toConsole().fetch(URI.create(URL), cacheDir.resolve("resnet18-" + SHA256_PREFIX + ".pth"),
                    Download.Expected.sha256Prefix(SHA256_PREFIX));
        } catch (IOException e) {
            throw new IOException("ImageNet ResNet-18 weights unavailable (" + URL + "): " + e.getMessage(), e);
        }
    }

    /** Loads the backbone into {@code model}; the 1000-class head is skipped. Returns the mapper's report. */
    static String load(Module model, Map<String, Tensor> weights) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> shapes.put(k, v.shape()));
        KeyMapper.Result r = KeyMapper.torchvisionResNet18().apply(weights, shapes);
        model.loadStateDict(r.mapped(), false);
        return r.report();
    }
}
