package org.gradlab.nn.models;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.gradlab.nn.Module;
import org.gradlab.nn.io.TorchCheckpoint;
import org.junit.jupiter.api.Test;

/** A real PyTorch state_dict (pth/model08.pth) loads strictly into exp 08, in PyTorch's key order. */
class CheckpointLoadTest {
    @Test
    void model08CheckpointLoadsStrictlyWithPyTorchOrder() throws IOException {
        Map<String, Tensor> sd = TorchCheckpoint.load(SharedFiles.file("golden/pth/model08.pth"));
        Module m = ChallengeModels.exp08BatchNorm(new Generator(1));
        assertEquals(List.copyOf(sd.keySet()), List.copyOf(m.stateDict().keySet()), "state_dict order");
        m.loadStateDict(sd, true);
        try (Npz z = Npz.open(SharedFiles.file("golden/model08.npz"))) {
            for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
                assertArrayEquals(z.get("model.f32.init." + e.getKey()).toDoubles(), e.getValue().toDoubleArray(), 0,
                        e.getKey());
            }
        }
    }
}
