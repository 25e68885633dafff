package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;

import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.OptimKernels;
import org.junit.jupiter.api.Test;

/**
 * The float32 Adam and SGD steps of {@link CpuOptim} (staged; Adam in float arithmetic, SGD in
 * the reference's double arithmetic per element) against their
 * float64 loops, the reference: five steps with fresh gradients, odd sizes; Adam with L2 and
 * decoupled (AdamW) weight decay, SGD plain, with weight decay, with momentum and dampening, and
 * Nesterov; parameters and every state buffer within float32 rounding.
 */
class OptimF32PathTest {
    private static final OptimKernels OPTIM = CpuBackend.INSTANCE.optim();

    @Test
    void adamMatchesTheReference() {
        for (boolean decoupled : new boolean[] {false, true}) {
            for (int n : new int[] {1, 7, 1001}) {
                Generator gen = new Generator(n + (decoupled ? 1 : 0));
                Tensor p64 = exactInF32(gen, n);
                Tensor p32 = p64.to(DType.F32);
                Tensor m64 = Tensor.zeros(DType.F64, p64.device(), n);
                Tensor v64 = Tensor.zeros(DType.F64, p64.device(), n);
                Tensor m32 = Tensor.zeros(DType.F32, p64.device(), n);
                Tensor v32 = Tensor.zeros(DType.F32, p64.device(), n);
                for (long step = 1; step <= 5; step++) {
                    Tensor g64 = exactInF32(gen, n);
                    OPTIM.adamStep(p64, g64, m64, v64, 1e-2, 0.9, 0.999, 1e-8, 0.05, step, decoupled);
                    OPTIM.adamStep(p32, g64.to(DType.F32), m32, v32, 1e-2, 0.9, 0.999, 1e-8, 0.05, step, decoupled);
                }
                String what = (decoupled ? "AdamW" : "Adam") + ", " + n + " parameters";
                assertClose(p32, p64, 1e-6, what + ": parameters");
                assertClose(m32, m64, 1e-6, what + ": first moment");
                assertClose(v32, v64, 1e-5, what + ": second moment");
            }
        }
    }

    @Test
    void sgdMatchesTheReference() {
        double[][] settings = {{0, 0, 0, 0}, {0, 0, 0.01, 0}, {0.9, 0.1, 0.01, 0}, {0.9, 0, 0, 1}};
        for (int k = 0; k < settings.length; k++) {
            double[] s = settings[k];
            double momentum = s[0];
            double dampening = s[1];
            double weightDecay = s[2];
            boolean nesterov = s[3] == 1;
            for (int n : new int[] {1, 7, 1001}) {
                Generator gen = new Generator(100L * k + n);
                Tensor p64 = exactInF32(gen, n);
                Tensor p32 = p64.to(DType.F32);
                Tensor b64 = momentum == 0 ? null : Tensor.zeros(DType.F64, p64.device(), n);
                // the first step ignores the buffer: start the float32 one with garbage to show it
                Tensor b32 = momentum == 0 ? null : Tensor.full(DType.F32, p64.device(), Float.NaN, n);
                for (int step = 1; step <= 5; step++) {
                    Tensor g64 = exactInF32(gen, n);
                    OPTIM.sgdStep(p64, g64, b64, 0.1, momentum, dampening, nesterov, weightDecay, step == 1);
                    OPTIM.sgdStep(p32, g64.to(DType.F32), b32, 0.1, momentum, dampening, nesterov, weightDecay, step == 1);
                }
                String what = "SGD momentum " + momentum + " dampening " + dampening + " weight decay " + weightDecay
                        + (nesterov ? " Nesterov" : "") + ", " + n + " parameters";
                assertClose(p32, p64, 1e-6, what + ": parameters");
                if (b64 != null) {
                    assertClose(b32, b64, 1e-6, what + ": momentum buffer");
                }
            }
        }
    }
}
