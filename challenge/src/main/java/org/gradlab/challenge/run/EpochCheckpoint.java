package org.gradlab.challenge.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.Dropout;
import org.gradlab.nn.io.SafeTensors;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.lr.LRScheduler;

/**
 * The state of an experiment after a finished epoch — model, optimizer, scheduler, dropout
 * generators, timings — in one safetensors file (written atomically), so an interrupted run
 * resumes at the next epoch and continues exactly as the uninterrupted run would have (the data
 * loader derives each epoch's order and augmentations from the seed and the epoch number).
 */
final class EpochCheckpoint {
    private static final String MODEL = "model.";
    private static final String OPTIM = "optim.";
    private static final String RNG = "rng.";
    private static final String EXTRA = "extra.";

    private EpochCheckpoint() {}

    static Path path(Path outDir, String id) {
        return outDir.resolve("checkpoints").resolve("exp" + id + ".safetensors");
    }

    static void save(Path file, Module model, Optimizer opt, LRScheduler sched, int epochsDone, double[] epochSeconds,
                     String fingerprint) throws IOException {
        save(file, model, opt, sched, epochsDone, epochSeconds, fingerprint, Map.of());
    }

    /** {@link #save} with {@code extra} text entries (prefixed "extra.") for the trainer's own state. */
    static void save(Path file, Module model, Optimizer opt, LRScheduler sched, int epochsDone, double[] epochSeconds,
                     String fingerprint, Map<String, String> extra) throws IOException {
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
        dropoutGenerators(model).forEach((name, g) -> meta.put(RNG + name, encode(g.state())));
        extra.forEach((k, v) -> meta.put(EXTRA + k, v));
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
        for (Map.Entry<String, Generator> e : dropoutGenerators(model).entrySet()) {
            String saved = meta.get(RNG + e.getKey());
            if (saved == null) {
                // NOTE: checkpoints of GradLab before 2026-11-22 lack it; the run still resumes correctly,
                // only its later dropout masks differ from those of an uninterrupted run.
                System.err.println("warning: " + file + " has no generator state for dropout layer '" + e.getKey()
                        + "'; resumed epochs draw different dropout masks than an uninterrupted run would");
                continue;
            }
            e.getValue().restore(decode(saved, file));
        }
        int done = Integer.parseInt(meta.get("epochs_done"));
        String[] secs = meta.getOrDefault("epoch_seconds", "").split(",");
        for (int i = 0; i < done && i < secs.length && !secs[i].isEmpty(); i++) {
            epochSeconds[i] = Double.parseDouble(secs[i]);
        }
        return done;
    }

    /** The extra entries {@link #save} stored, by their own names (empty when there is no checkpoint). */
    static Map<String, String> extra(Path file) throws IOException {
        Map<String, String> out = new HashMap<>();
        if (Files.exists(file)) {
            SafeTensors.metadata(file).forEach((k, v) -> {
                if (k.startsWith(EXTRA)) {
                    out.put(k.substring(EXTRA.length()), v);
                }
            });
        }
        return out;
    }

    /** Every dropout layer of the model by dotted name, with the generator that draws its masks. */
    static Map<String, Generator> dropoutGenerators(Module model) {
        Map<String, Generator> out = new LinkedHashMap<>();
        model.namedModules().forEach((name, m) -> {
            if (m instanceof Dropout d) {
                out.put(name, d.generator());
            }
        });
        return out;
    }

    private static String encode(Generator.State s) {
        return s.state() + "," + s.spareNormalBits() + "," + s.hasSpare();
    }

    private static Generator.State decode(String text, Path file) throws IOException {
        String[] f = text.split(",");
        if (f.length != 3) {
            throw new IOException(file + ": malformed generator state '" + text + "' (expected state,spareBits,hasSpare)");
        }
        return new Generator.State(Long.parseLong(f[0]), Long.parseLong(f[1]), Boolean.parseBoolean(f[2]));
    }
}
