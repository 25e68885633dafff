package org.gradlab.challenge.run;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.gradlab.challenge.study.BundledStudies;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.Dropout;
import org.junit.jupiter.api.Test;

/** Every model setting reaches the model: parameter counts of the write-up, dropout rates, the frozen backbone. */
class StudyModelsTest {
    private static final Map<String, Long> PUBLISHED_PARAMS = Map.of("01", 6_887L, "06", 41_351L, "07", 94_151L, "08", 94_599L,
            "09", 94_599L, "10", 102_407L, "21", 102_407L, "25", 11_172_423L);

    @Test
    void dermamnist25ModelsHaveThePublishedParameterCounts() {
        Study s = BundledStudies.get("dermamnist-25");
        PUBLISHED_PARAMS.forEach((id, n) -> {
            Module m = StudyModels.build(s.get(id).model(), 3, 28, 7, new Generator(0));
            assertEquals(n, m.parameterCount(), "exp " + id);
        });
    }

    @Test
    void dropoutRatesComeFromTheSettings() {
        Study s = BundledStudies.get("dermamnist-25");
        assertEquals(java.util.List.of(0.3), rates(s.get("09")));
        assertEquals(java.util.List.of(0.2), rates(s.get("10")));
        assertEquals(java.util.List.of(0.4, 0.2), rates(s.get("21")));
        assertEquals(java.util.List.of(0.35, 0.2), rates(s.get("21").with("model.dropout", 0.35)), "no architecture picked by rate");
    }

    private static java.util.List<Double> rates(StudyExperiment e) {
        Module m = StudyModels.build(e.model(), 3, 28, 7, new Generator(0));
        return m.namedModules().values().stream().filter(x -> x instanceof Dropout).map(x -> ((Dropout) x).p).toList();
    }

    @Test
    void freezingLeavesOnlyTheHeadTrainableAndOtherBackbonesBuild() {
        StudyExperiment e24 = BundledStudies.get("dermamnist-25").get("24");
        Module m = StudyModels.build(e24.model(), 3, 28, 7, new Generator(0));
        StudyModels.freezeBackbone(m, e24.model());
        assertEquals(512 * 7 + 7, m.trainableParameters().stream().mapToLong(Tensor::numel).sum());
        Study a = BundledStudies.get("breastmnist-ablation");
        for (String id : new String[] {"basic-cosine-efficientnet_b0", "basic-cosine-vit_tiny"}) {
            Module b = StudyModels.build(a.get(id).model(), 3, 28, 2, new Generator(0));
            assertTrue(b.parameterCount() > 1_000_000, id);
        }
        assertNotNull(StudyModels.problem(a.get("basic-cosine-vit_tiny").with("model.patch_size", 5).model(), 3, 28));
    }
}
