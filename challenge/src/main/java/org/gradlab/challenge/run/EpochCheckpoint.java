package org.gradlab.challenge.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.io.SafeTensors;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.lr.LRScheduler;

/**
 * The state of an experiment after a finished epoch — model, optimizer, scheduler, timings — in
 * one safetensors file (written atomically), so an interrupted run resumes at the next epoch.
 */
final class EpochCheckpoint {
    private static final String MODEL = "model.";
    private static final String OPTIM = "optim.";

    private EpochCheckpoint() {}

    static Path path(Path outDir, String id) {
        return outDir.resolve("checkpoints").resolve("exp" + id + ".safetensors");
    }

    static void save(Path file, Module model, Optimizer opt, LRScheduler sched, int epochsDone, double[] epochSeconds,
                     String fingerprint) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, Tensor> all = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> all.put(MODEL + k, v));
        opt.stateDict().forEach((k, v) -> all.put(OPTIM + k, v));
        Map<String, String> meta = new HashMap<>();
        meta.put("epochs_done", Integer.toString(epochsDone));
        meta.put("fingerprint", fingerprint);
        StringBuilder secs = new StringBuilder();
        for (int i = 0; i < epochsDone; i++) {
            secs.append(i == 0 ? "" : ",").append(epochSeconds[i]);
        }
        meta.put("epoch_seconds", secs.toString());
        if (sched != null) {
            sched.stateDict().forEach((k, v) -> meta.put("sched." + k, Double.toString(v)));
        }
        SafeTensors.save(file, all, meta);
    }

    /**
     * Restores a checkpoint written for the same recipe ({@code fingerprint}); returns the number of
     * finished epochs, or 0 when there is none (or it belongs to another recipe).
     */
    static int restore(Path file, Module model, Optimizer opt, LRScheduler sched, double[] epochSeconds, String fingerprint)
            throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        Map<String, String> meta = SafeTensors.metadata(file);
        if (!fingerprint.equals(meta.get("fingerprint"))) {
            return 0;
        }
        Map<String, Tensor> all = SafeTensors.load(file);
        Map<String, Tensor> m = new LinkedHashMap<>();
        Map<String, Tensor> o = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(MODEL)) {
                m.put(k.substring(MODEL.length()), v);
            } else if (k.startsWith(OPTIM)) {
                o.put(k.substring(OPTIM.length()), v);
            }
        });
        model.loadStateDict(m, true);
        opt.loadStateDict(o);
        if (sched != null) {
            Map<String, Double> s = new HashMap<>();
            meta.forEach((k, v) -> {
                if (k.startsWith("sched.")) {
                    s.put(k.substring(6), Double.parseDouble(v));
                }
            });
            sched.loadStateDict(s);
        }
        int done = Integer.parseInt(meta.get("epochs_done"));
        String[] secs = meta.getOrDefault("epoch_seconds", "").split(",");
        for (int i = 0; i < done && i < secs.length && !secs[i].isEmpty(); i++) {
            epochSeconds[i] = Double.parseDouble(secs[i]);
        }
        return done;
    }
}
