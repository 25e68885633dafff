package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;

import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.OptimKernels;
import org.junit.jupiter.api.Test;

/**
 * The float32 Adam step of {@link CpuOptim} (staged, float arithmetic) against its float64 loop,
 * the reference: five steps with fresh gradients, L2 and decoupled (AdamW) weight decay, odd
 * sizes; parameters and both moment buffers within float32 rounding.
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
}
