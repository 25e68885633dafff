package org.gradlab.nn.golden;

import java.util.List;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.golden.GoldenCases;
import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.golden.Tolerance;
import org.gradlab.engine.io.Npz;

/**
 * The whole-model comparisons of {@link ModelGolden} as {@link GoldenSuite}s, so that
 * {@code verify --golden DIR} covers model01.npz, model08.npz, resnet18.npz and the generated-weight
 * models of {@link GeneratedWeightsGolden}. Each suite runs
 * the float64 engine (group "f64") and the float32 engine (group "f32") on case "model".
 * The nn-level data fixtures are registered with them: transforms_resize.npz
 * ({@link ResizeGrayscaleSuite}) and the Mixup/CutMix cases of soft_cross_entropy.npz
 * ({@link MixGoldenSuite}).
 *
 * <p>Array checks go to {@link Reporter#compare} with their own tolerance; relative-L2 checks
 * (resnet18 float32 gradients) are reported as one number, the relative L2 error, compared
 * against its bound (array name suffixed "[relative L2 error]").
 */
public final class ModelGoldenSuites {
    private ModelGoldenSuites() {
    }

    /** The optimizer, scheduler and transform fixtures' suites (parameters from MANIFEST.json). */
    private static final List<GoldenSuite> TRAINING = List.of(new OptimSuite(), new SchedulersSuite(), new TransformsSuite());

    /**
     * Registers every suite of this module with {@link GoldenCases} (idempotent): the model (and nn
     * data) suites, the optimizer, scheduler and transform suites, and clip_grad_norm_'s (grad_clip.npz).
     */
    public static synchronized void registerAll() {
        for (GoldenSuite s : SUITES) {
            GoldenCases.register(s);
        }
        for (GoldenSuite s : TRAINING) {
            GoldenCases.register(s);
        }
        GoldenCases.register(GradClipSuite.INSTANCE);
    }

    /** The optimizer, scheduler and transform suites. */
    public static List<GoldenSuite> trainingSuites() {
        return TRAINING;
    }

    public static List<GoldenSuite> suites() {
        return SUITES;
    }

    private static final List<GoldenSuite> SUITES = List.of(
            new ModelSuite("model01.npz", ModelGolden::model01),
            new ModelSuite("model08.npz", ModelGolden::model08),
            new ModelSuite("resnet18.npz", ModelGolden::resnet18),
            new ModelSuite("mbconv.npz", GeneratedWeightsGolden::mbconv),
            new ModelSuite("efficientnet_b0.npz", GeneratedWeightsGolden::efficientnetB0),
            new ModelSuite("vit_tiny.npz", GeneratedWeightsGolden::vitTiny),
            new ResizeGrayscaleSuite(),
            new MixGoldenSuite());

    /** Runs one model file in one dtype on one device. */
    private interface Runner {
        GoldenReport run(Npz npz, DType dtype, Device device);
    }

    private record ModelSuite(String fileName, Runner runner) implements GoldenSuite {
        @Override
        public void run(Npz npz, Reporter reporter) {
            run(npz, reporter, Device.CPU);
        }

        @Override
        public void run(Npz npz, Reporter reporter, Device device) {
            for (DType dt : new DType[] {DType.F64, DType.F32}) {
                String group = dt == DType.F64 ? "f64" : "f32";
                GoldenReport rep;
                try {
                    rep = runner.run(npz, dt, device);
                } catch (RuntimeException | AssertionError e) {
                    reporter.fail(fileName, "model", group, "(whole model)", e.toString());
                    continue;
                }
                for (Check c : rep.checks()) {
                    if (c.actual() != null) {
                        reporter.compare(fileName, "model", group, c.name().replace(' ', '_'), c.actual(), c.ref(),
                                new Tolerance(c.rtol(), c.atol()));
                    } else {
                        reporter.compare(fileName, "model", group, c.name().replace(' ', '_') + "[relative_L2_error]",
                                new double[] {c.relErr()}, new double[] {0}, new Tolerance(0, c.rtol()));
                    }
                }
            }
        }
    }
}
