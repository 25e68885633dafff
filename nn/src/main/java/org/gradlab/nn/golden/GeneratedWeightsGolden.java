package org.gradlab.nn.golden;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.AdaptiveAvgPool2d;
import org.gradlab.nn.layers.Flatten;
import org.gradlab.nn.layers.Linear;
import org.gradlab.nn.layers.Sequential;
import org.gradlab.nn.models.EfficientNet;
import org.gradlab.nn.models.MBConv;
import org.gradlab.nn.models.VisionTransformer;

/**
 * The second batch's whole models with generated weights (shared/golden/README.md, "Whole models
 * with generated weights"): mbconv.npz, efficientnet_b0.npz and vit_tiny.npz. Every parameter
 * is regenerated with {@link ModelGolden#generatedWeights} (checked by gen.first8 / gen.sum);
 * one train-mode forward on {@code images}, cross-entropy (mean) against {@code target},
 * backward; then logits, loss, BatchNorm running statistics after the forward, every
 * parameter's gradient norm, its gradient (or its first 256 elements), and the eval-mode logits.
 *
 * <p>Tolerances (relative to max|ref|): float64 engine rtol 1e-9 / atol 1e-12; float32 engine
 * against the float64 reference rtol 1e-4 (mbconv, vit_tiny), 2e-4 (efficientnet_b0) (PyTorch's own
 * float32 run is off by up to 1.6e-6 (mbconv), 9.6e-7 (vit_tiny) and 3.5e-5 (efficientnet_b0) relative).
 * NOTE: gradients that are zero in theory (an MBConv's projection BatchNorm bias feeding the
 * next block's 1x1 conv + train-mode BatchNorm) hold only rounding noise: a parameter whose
 * reference gradient norm is below 1e-12 of the model's largest is checked with an absolute
 * tolerance (1e-10 float64, 1e-5 float32), marked "(true 0: abs tol)".
 */
public final class GeneratedWeightsGolden {
    private GeneratedWeightsGolden() {
    }

    /** torchvision MBConv(expand 6, k3, s2, 16 -> 32) + AdaptiveAvgPool + Flatten + Linear(32, 7). */
    public static GoldenReport mbconv(Npz z, DType dtype, Device device) {
        return run("mbconv " + dtype, new MBConvHead(new Generator(3007)), z, dtype, device, 1e-4);
    }

    /** efficientnet_b0(num_classes 7), classifier dropout 0, stochastic depth 0, 64x64 inputs. */
    public static GoldenReport efficientnetB0(Npz z, DType dtype, Device device) {
        return run("efficientnet_b0 " + dtype, EfficientNet.b0(3, 7, 0, 0, new Generator(3008)), z, dtype, device, 2e-4);
    }

    /** torchvision VisionTransformer(32, patch 8, 2 layers, 3 heads, hidden 192, MLP 768, 2 classes), dropout 0. */
    public static GoldenReport vitTiny(Npz z, DType dtype, Device device) {
        return run("vit_tiny " + dtype, VisionTransformer.vitTiny(32, 8, 2, 3, 2, new Generator(3009)), z, dtype, device, 1e-4);
    }

    /** The mbconv.npz model: children "block" (torchvision's MBConv) and "head". */
    static final class MBConvHead extends Module {
        MBConvHead(Generator g) {
            registerModule("block", new MBConv(6, 3, 2, 16, 32, 0, g));
            registerModule("head", new Sequential(new AdaptiveAvgPool2d(1), new Flatten(), new Linear(32, 7, g)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("head").call(child("block").call(x));
        }
    }

    static GoldenReport run(String name, Module model, Npz z, DType dtype, Device device, double f32Rtol) {
        GoldenReport rep = new GoldenReport(name);
        boolean f64 = dtype == DType.F64;
        double rtol = f64 ? 1e-9 : f32Rtol;
        double atol = f64 ? 1e-12 : f32Rtol * 1e-2;
        String ref = "model.f64.";
        try (MemoryScope scope = MemoryScope.open()) {
            model.to(dtype);
            model.loadStateDict(generated(z, model, rep), false);
            model.to(device);
            NpyArray img = z.get("images");
            Tensor x = Tensor.of(dtype, Device.CPU, img.toDoubles(), img.shape()).to(device);
            int[] target = Arrays.stream(z.get("target").toLongs()).mapToInt(Math::toIntExact).toArray();

            model.train();
            model.zeroGrad();
            Tensor logits = model.forward(x);
            Tensor loss = CrossEntropy.apply(logits, target, null, 0.0, Reduction.MEAN);
            loss.backward();
            rep.add(Check.of("logits_train", logits.toDoubleArray(), z.get(ref + "logits_train").toDoubles(), rtol, atol));
            rep.add(Check.of("loss_train", loss.toDoubleArray(), z.get(ref + "loss_train").toDoubles(), rtol, atol));
            for (Map.Entry<String, Tensor> e : model.namedBuffers().entrySet()) {
                String key = ref + "after_forward." + e.getKey();
                if (z.has(key)) {
                    rep.add(Check.of("after_forward." + e.getKey(), e.getValue().toDoubleArray(), z.get(key).toDoubles(), rtol, atol));
                }
            }
            double largest = 0;
            for (String k : model.namedParameters().keySet()) {
                largest = Math.max(largest, z.get(ref + "gradnorm." + k).toDoubles()[0]);
            }
            for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
                String k = e.getKey();
                Tensor grad = e.getValue().grad();
                double[] got = grad == null ? new double[0] : grad.toDoubleArray();
                double refNorm = z.get(ref + "gradnorm." + k).toDoubles()[0];
                boolean zero = refNorm < 1e-12 * largest;
                double r = zero ? 0 : rtol;
                double a = zero ? (f64 ? 1e-10 : 1e-5) : atol;
                String note = zero ? " (true 0: abs tol)" : "";
                rep.add(Check.of("gradnorm." + k + note, new double[] {l2(got)}, new double[] {refNorm}, r, a));
                if (z.has(ref + "grad." + k)) {
                    rep.add(Check.of("grad." + k + note, got, z.get(ref + "grad." + k).toDoubles(), r, a));
                } else {
                    double[] first = Arrays.copyOf(got, Math.min(256, got.length));
                    rep.add(Check.of("grad_first256." + k + note, first, z.get(ref + "grad_first256." + k).toDoubles(), r, a));
                }
            }
            model.eval();
            Tensor evalLogits = model.forward(x);
            rep.add(Check.of("logits_eval", evalLogits.toDoubleArray(), z.get(ref + "logits_eval").toDoubles(), rtol, atol));
            model.zeroGrad();
        }
        return rep;
    }

    /** The generated value of every state-dict entry the file describes, with the generator's own checks. */
    private static Map<String, Tensor> generated(Npz z, Module model, GoldenReport rep) {
        long seed = z.get("gen.seed").toLongs()[0];
        Map<String, Tensor> load = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            String k = e.getKey();
            if (!z.has("gen.scale." + k)) {
                if (model.namedParameters().containsKey(k)) {
                    throw new IllegalStateException("golden file has no generated weights for parameter " + k);
                }
                continue; // BatchNorm running statistics keep (0, 1, 0)
            }
            double scale = z.get("gen.scale." + k).toDoubles()[0];
            double offset = z.get("gen.offset." + k).toDoubles()[0];
            double[] v = ModelGolden.generatedWeights(seed, k, Math.toIntExact(e.getValue().numel()), scale, offset);
            double[] want8 = z.get("gen.first8." + k).toDoubles();
            rep.add(Check.of("gen.first8." + k, Arrays.copyOf(v, want8.length), want8, 0, 0));
            rep.add(Check.of("gen.sum." + k, new double[] {Arrays.stream(v).sum()}, z.get("gen.sum." + k).toDoubles(), 1e-12, 1e-12));
            load.put(k, Tensor.of(DType.F64, Device.CPU, v, e.getValue().shape()));
        }
        return load;
    }

    private static double l2(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
