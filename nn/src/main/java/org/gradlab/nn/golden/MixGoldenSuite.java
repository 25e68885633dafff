package org.gradlab.nn.golden;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.golden.Tolerance;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.engine.ops.SoftTargetCrossEntropy;
import org.gradlab.nn.data.mix.CutMix;
import org.gradlab.nn.data.mix.MixedBatch;
import org.gradlab.nn.data.mix.Mixup;

/**
 * The {@code mixup} and {@code cutmix} cases of soft_cross_entropy.npz (the probability
 * cross-entropy cases {@code probs*} belong to the engine's suite for the same file): the mixing
 * of {@link Mixup#mix} and {@link CutMix#paste} given the fixture's lambda, permutation and box,
 * and the Mixup loss {@code lambda CE(logits, y) + (1 - lambda) CE(logits, y[perm])}, both as
 * {@link SoftTargetCrossEntropy} of {@link MixedBatch#targets()} and as the two-term sum.
 */
final class MixGoldenSuite implements GoldenSuite {
    static final String FILE = "soft_cross_entropy.npz";
    /** The fixture's CutMix box x[:, :, 1:4, 2:6] (MANIFEST-v2.json, case cutmix, "box": [1, 4, 2, 6]). */
    static final CutMix.Box FIXTURE_BOX = new CutMix.Box(1, 4, 2, 6);

    @Override
    public String fileName() {
        return FILE;
    }

    @Override
    public void run(Npz z, Reporter r) {
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            String g = dt == DType.F64 ? "f64" : "f32";
            Tolerance tol = Tolerance.of(dt);
            try (MemoryScope scope = MemoryScope.open()) {
                mixup(z, r, dt, g, tol);
                cutmix(z, r, dt, g, tol);
            } catch (RuntimeException e) {
                r.fail(FILE, "mixup/cutmix", g, "-", e.toString());
            }
        }
    }

    private static void mixup(Npz z, Reporter r, DType dt, String g, Tolerance tol) {
        double lambda = z.get("mixup.meta.lam").toDoubles()[0];
        int[] perm = ints(z.get("mixup.meta.perm").toLongs());
        int[] y = ints(z.get("mixup.f64.y").toLongs());
        Tensor x = tensor(z, "mixup.f64.x", dt);
        Tensor logits = tensor(z, "mixup.f64.logits", dt);
        MixedBatch m = Mixup.mix(x, y, logits.shape(1), lambda, perm);
        r.compare(FILE, "mixup", g, "out", m.images().toDoubleArray(), z.get("mixup.f64.out").toDoubles(), tol);
        r.compare(FILE, "mixup", g, "perm", toDoubles(perm), z.get("mixup." + g + ".perm").toDoubles(), new Tolerance(0, 0));
        Tensor soft = SoftTargetCrossEntropy.apply(logits, m.targets(), 0, Reduction.MEAN);
        r.compare(FILE, "mixup", g, "loss (soft targets)", soft.toDoubleArray(), z.get("mixup.f64.loss").toDoubles(), tol);
        int[] yPerm = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            yPerm[i] = y[perm[i]];
        }
        Tensor twoTerm = CrossEntropy.apply(logits, y, null, 0, Reduction.MEAN).mul(lambda)
                .add(CrossEntropy.apply(logits, yPerm, null, 0, Reduction.MEAN).mul(1 - lambda));
        r.compare(FILE, "mixup", g, "loss (two terms)", twoTerm.toDoubleArray(), z.get("mixup.f64.loss").toDoubles(), tol);
    }

    private static void cutmix(Npz z, Reporter r, DType dt, String g, Tolerance tol) {
        int[] perm = ints(z.get("cutmix.f64.perm").toLongs());
        Tensor x = tensor(z, "cutmix.f64.x", dt);
        int[] labels = new int[x.shape(0)];
        MixedBatch m = CutMix.paste(x, labels, 1, FIXTURE_BOX, perm);
        r.compare(FILE, "cutmix", g, "out", m.images().toDoubleArray(), z.get("cutmix.f64.out").toDoubles(), tol);
        r.compare(FILE, "cutmix", g, "lam_adjusted", new double[] {m.lambda()}, z.get("cutmix." + g + ".lam_adjusted").toDoubles(),
                new Tolerance(0, 1e-15));
    }

    private static Tensor tensor(Npz z, String key, DType dt) {
        return Tensor.of(dt, Device.CPU, z.get(key).toDoubles(), z.get(key).shape());
    }

    private static int[] ints(long[] l) {
        int[] v = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            v[i] = Math.toIntExact(l[i]);
        }
        return v;
    }

    private static double[] toDoubles(int[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
