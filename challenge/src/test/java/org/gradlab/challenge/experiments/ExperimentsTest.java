package org.gradlab.challenge.experiments;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExperimentsTest {
    @Test
    void twentyFiveExperimentsEachDerivedFromAnEarlierOne() {
        List<Experiment> all = Experiments.all();
        assertEquals(25, all.size());
        for (int i = 0; i < all.size(); i++) {
            Experiment e = all.get(i);
            assertEquals(String.format("%02d", i + 1), e.id());
            if (i > 0) {
                assertNotNull(e.basedOn(), e.id());
                assertTrue(e.basedOn().compareTo(e.id()) < 0, e.id() + " must build on an earlier experiment");
            }
        }
    }

    @Test
    void recipesMatchTheWriteUp() {
        Experiment e01 = Experiments.get("01");
        assertEquals("sgd", e01.optimizer());
        assertEquals(0.1, e01.lr());
        assertEquals(5, e01.epochs());
        Experiment e12 = Experiments.get("12");
        assertTrue(e12.augmentation().hflip());
        assertEquals(15, e12.augmentation().rotationDegrees());
        assertEquals(10, e12.epochs());
        Experiment e14 = Experiments.get("14");
        assertTrue(e14.augmentation().normalizeTrainOnly());
        Experiment e21 = Experiments.get("21");
        assertEquals(64, e21.batchSize());
        assertTrue(e21.classWeights() && e21.cosine());
        assertEquals(15, e21.epochs());
        Experiment e25 = Experiments.get("25");
        assertEquals(ModelKind.RESNET18_STEM28, e25.model());
        assertEquals(0.1, e25.labelSmoothing());
        assertTrue(e25.classWeights() && e25.augmentation().affine() && e25.augmentation().vflip());
        assertEquals(1e-4, e25.lr());
        assertTrue(Experiments.get("24").freezeBackbone());
    }

    @Test
    void selectionParsesListsAndRanges() {
        assertEquals(List.of("01", "08", "20", "21", "22"),
                Experiments.select("1,08,20-22").stream().map(Experiment::id).toList());
        assertEquals(25, Experiments.select("all").size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Experiments.select("24-27"));
        assertTrue(e.getMessage().contains("24-27"));
        assertThrows(IllegalArgumentException.class, () -> Experiments.select("x"));
    }
}
