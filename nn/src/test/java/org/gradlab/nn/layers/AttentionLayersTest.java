package org.gradlab.nn.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.testutil.Golden;
import org.junit.jupiter.api.Test;

/**
 * The LayerNorm and MultiheadAttention modules against PyTorch's modules (layernorm.npz,
 * attention.npz mha_self), loaded through their PyTorch state_dict names; the batch-first and
 * sequence-first layouts agree; head-averaged weights are the mean of the per-head ones.
 */
class AttentionLayersTest {

    @Test
    void multiheadAttentionMatchesPyTorchThroughItsStateDictNames() throws Exception {
        try (Npz z = Golden.open("attention.npz"); MemoryScope s = MemoryScope.open()) {
            MultiheadAttention mha = new MultiheadAttention(12, 3, true, new Generator(1));
            mha.to(DType.F64);
            Map<String, Tensor> sd = mha.stateDict();
            assertEquals(java.util.Set.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"), sd.keySet());
            assertArrayEquals(new int[] {36, 12}, sd.get("in_proj_weight").shape());
            assertArrayEquals(new int[] {12, 12}, sd.get("out_proj.weight").shape());
            assertArrayEquals(new double[36], sd.get("in_proj_bias").toDoubleArray(), "in_proj_bias starts at 0");
            var missing = mha.loadStateDict(Map.of(
                    "in_proj_weight", Golden.tensor(z, "mha_self.f64.in_proj_weight", DType.F64),
                    "in_proj_bias", Golden.tensor(z, "mha_self.f64.in_proj_bias", DType.F64),
                    "out_proj.weight", Golden.tensor(z, "mha_self.f64.out_proj_weight", DType.F64),
                    "out_proj.bias", Golden.tensor(z, "mha_self.f64.out_proj_bias", DType.F64)), true);
            assertTrue(missing.missingKeys().isEmpty() && missing.unexpectedKeys().isEmpty(), missing.toString());
            Tensor x = Golden.tensor(z, "mha_self.f64.x", DType.F64).requiresGrad(true);
            MultiheadAttention.Output o = mha.forwardWithWeights(x, false);
            Golden.assertClose("out", z, "mha_self.f64.out", o.out(), 1e-9, 1e-12);
            Golden.assertClose("attn_weights", z, "mha_self.f64.attn_weights", o.weights(), 1e-9, 1e-12);
            o.out().backward(Golden.tensor(z, "mha_self.f64.grad_out", DType.F64));
            Golden.assertClose("grad_x", z, "mha_self.f64.grad_x", x.grad(), 1e-9, 1e-12);
            Golden.assertClose("grad in_proj_weight", z, "mha_self.f64.grad_in_proj_weight", mha.inProjWeight().grad(), 1e-9, 1e-12);
            Golden.assertClose("grad out_proj.weight", z, "mha_self.f64.grad_out_proj_weight", mha.outProj().weight().grad(), 1e-9,
                    1e-12);

            // sequence-first layout: same numbers, transposed; averaged weights = mean over heads
            MultiheadAttention seqFirst = new MultiheadAttention(12, 3, false, new Generator(2));
            seqFirst.to(DType.F64);
            seqFirst.loadStateDict(mha.stateDict(), true);
            MultiheadAttention.Output t = seqFirst.forwardWithWeights(x.detach().transpose(0, 1), true);
            Golden.assertClose("out (T, N, E)", z, "mha_self.f64.out", t.out().transpose(0, 1).contiguous(), 1e-12, 1e-14);
            assertArrayEquals(new int[] {2, 5, 5}, t.weights().shape());
            assertArrayEquals(o.weights().mean(new int[] {1}, false).toDoubleArray(), t.weights().toDoubleArray(), 1e-14);
        }
    }

    @Test
    void forwardAndForwardWithWeightsAgreeAndOnlyTheLattersWeightsTakeAGradient() {
        try (MemoryScope s = MemoryScope.open()) {
            MultiheadAttention mha = new MultiheadAttention(12, 3, true, new Generator(3));
            mha.to(DType.F64);
            Tensor x = org.gradlab.nn.init.Init.uniform(new Generator(4), -1, 1, DType.F64, org.gradlab.engine.Device.CPU, 2, 5, 12);
            Tensor packed = mha.forward(x);
            MultiheadAttention.Output composed = mha.forwardWithWeights(x, false);
            assertArrayEquals(composed.out().toDoubleArray(), packed.toDoubleArray(), 1e-12, "packed and composed paths");
            // rows of the weights sum to 1, so a loss on their squares (not their sum) has a nonzero gradient
            composed.weights().mul(composed.weights()).sum().backward();
            Tensor g = mha.inProjWeight().grad();
            assertNotNull(g, "a loss on the attention weights reaches in_proj_weight");
            assertTrue(java.util.Arrays.stream(g.toDoubleArray()).anyMatch(v -> v != 0), "in_proj_weight's gradient is not all zero");
            assertNull(mha.outProj().weight().grad(), "out_proj does not feed the weights");
        }
    }

    @Test
    void layerNormModuleMatchesPyTorch() throws Exception {
        try (Npz z = Golden.open("layernorm.npz"); MemoryScope s = MemoryScope.open()) {
            LayerNorm ln = new LayerNorm(12, 1e-6);
            assertArrayEquals(new double[12], ln.bias().toDoubleArray());
            ln.loadStateDict(Map.of("weight", Golden.tensor(z, "ntd.f32.weight", DType.F32), "bias",
                    Golden.tensor(z, "ntd.f32.bias", DType.F32)), true);
            Tensor x = Golden.tensor(z, "ntd.f32.x", DType.F32).requiresGrad(true);
            Tensor y = ln.call(x);
            Golden.assertClose("out", z, "ntd.f64.out", y, 1e-4, 1e-5);
            y.backward(Golden.tensor(z, "ntd.f32.grad_out", DType.F32));
            Golden.assertClose("grad_weight", z, "ntd.f64.grad_weight", ln.weight().grad(), 1e-4, 1e-5);
            assertThrows(IllegalArgumentException.class, () -> new LayerNorm(new int[] {0}, 1e-5, true));
        }
    }
}
