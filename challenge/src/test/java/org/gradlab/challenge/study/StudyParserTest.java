package org.gradlab.challenge.study;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Study files: the bundled ones, defaults, builds_on chains, grid expansion, and every kind of bad file. */
class StudyParserTest {
    private static final String HEAD = "name: t\ndataset: {name: breastmnist, size: 28}\n";

    static Study parse(String yaml) throws Exception {
        return StudyParser.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "t.yaml", Path.of("."));
    }

    private static StudyFileException bad(String yaml) {
        return assertThrows(StudyFileException.class, () -> parse(yaml));
    }

    @Test
    void dermamnist25BuildsEveryExperimentFromTheOneBefore() {
        Study s = BundledStudies.get("dermamnist-25");
        assertEquals(25, s.experiments().size());
        assertEquals("sgd", s.get("01").optimizer().name());
        assertEquals(0.1, s.get("01").optimizer().lr());
        assertEquals(0.3, s.get("09").model().dropout(), "exp 09's dropout reaches the model settings");
        assertEquals(0.4, s.get("21").model().dropout());
        assertTrue(s.get("21").model().hiddenFc());
        StudyExperiment e13 = s.get("13");
        assertEquals("12", e13.buildsOn());
        assertEquals(10, e13.epochs(), "13 inherits 11's 10 epochs through 12");
        assertEquals("adam", e13.optimizer().name(), "and 02's Adam through 07 and 08");
        assertTrue(e13.model().batchnorm());
        assertEquals(List.of("hflip", "rotate", "color_jitter"), e13.augmentSteps().stream().map(AugmentStep::kind).toList());
        StudyExperiment e25 = s.get("25");
        assertEquals("resnet18", e25.model().name());
        assertEquals("cifar", e25.model().stem());
        assertEquals(15, e25.epochs());
        assertEquals("inverse_frequency", e25.loss().classWeights());
        assertEquals(java.util.Map.of("optimizer.lr", 1.0e-3), s.get("02").settings().changesFrom(s.get("01").settings())
                .entrySet().stream().filter(x -> x.getKey().equals("optimizer.lr")).collect(java.util.stream.Collectors
                        .toMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue)));
        assertEquals(List.of("01", "08", "20", "21", "22"), s.select("1,08,20-22").stream().map(StudyExperiment::id).toList());
    }

    @Test
    void ablationGridExpandsToTwentySevenRunsWithIdsFromTheValues() {
        Study s = BundledStudies.get("breastmnist-ablation");
        assertEquals(27, s.experiments().size());
        assertEquals("none-constant-resnet18", s.experiments().get(0).id());
        assertEquals("none-constant-efficientnet_b0", s.experiments().get(1).id(), "the last axis varies fastest");
        assertEquals("heavy-warmup_cosine-vit_tiny", s.experiments().get(26).id());
        StudyExperiment e = s.get("basic-cosine-resnet18");
        assertEquals("cosine", e.schedule().name());
        assertEquals(1.0e-2, e.optimizer().weightDecay());
        assertEquals(0.1, e.loss().labelSmoothing());
        assertEquals(1.0, e.clipGradNorm());
        assertEquals(8, e.earlyStopping().patience());
        assertEquals("best", e.select());
        assertEquals(3, e.input().channels());
        assertEquals(Normalization.IMAGENET, e.input().normalize());
        assertEquals(List.of("augment.preset", "schedule.name", "model.name"), List.copyOf(s.grid().keySet()));
    }

    @Test
    void exampleStudyParses() throws Exception {
        Study s = StudyParser.read(Path.of(System.getProperty("gradlab.root", ".."), "examples/my-first-study.yaml")
                .toAbsolutePath().normalize().toFile().exists()
                ? Path.of(System.getProperty("gradlab.root", ".."), "examples/my-first-study.yaml")
                : Path.of("../examples/my-first-study.yaml"));
        assertEquals(3, s.experiments().size());
        assertTrue(s.get("bn-flip").model().batchnorm(), "bn-flip builds on bn");
    }

    @Test
    void gridAndExperimentsTogetherAndNestedOrDottedSets() throws Exception {
        Study s = parse(HEAD + "defaults: {epochs: 2}\nexperiments:\n  - {id: a, set: {model: {name: wide_cnn, dropout: 0.25}}}\n"
                + "  - {id: b, builds_on: a, set: {optimizer.lr: 0.5}}\ngrid:\n  batch: [8, 16]\n  optimizer.name: [sgd, adam]\n");
        assertEquals(List.of("a", "b", "8-sgd", "8-adam", "16-sgd", "16-adam"), s.ids());
        assertEquals(0.25, s.get("b").model().dropout());
        assertEquals(0.5, s.get("b").optimizer().lr());
        assertEquals(16, s.get("16-adam").batch());
        assertEquals(2, s.get("16-adam").epochs());
    }

    @Test
    void unknownKeyNamesFileLineKeyAndWhatIsAllowed() {
        StudyFileException e = bad(HEAD + "defaults:\n  optimizer: {name: adam, lr: 0.1}\n  epoch: 3\nexperiments: [{id: a}]\n");
        assertEquals(5, e.line());
        assertEquals("epoch", e.key());
        assertTrue(e.getMessage().startsWith("t.yaml:5: key 'epoch': unknown key; allowed: "), e.getMessage());
        assertTrue(e.getMessage().contains("epochs"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        StudyFileException top = bad(HEAD + "experimens: []\n");
        assertEquals(3, top.line());
        assertTrue(top.getMessage().contains("allowed: name, title, description, dataset"), top.getMessage());
    }

    @Test
    void wrongTypeUnknownModelAndUnknownDataset() {
        StudyFileException t = bad(HEAD + "defaults: {epochs: ten}\nexperiments: [{id: a}]\n");
        assertEquals("t.yaml:3: key 'epochs': wrong type: got text 'ten'; allowed: an integer", t.getMessage());
        StudyFileException m = bad(HEAD + "experiments:\n  - {id: a, set: {model.name: resnet50}}\n");
        assertEquals(4, m.line());
        assertTrue(m.getMessage().contains("key 'model.name': unknown value 'resnet50'; allowed: baseline_cnn, wide_cnn"), m.getMessage());
        StudyFileException d = bad("name: t\ndataset: {name: brestmnist}\nexperiments: [{id: a}]\n");
        assertTrue(d.getMessage().startsWith("t.yaml:2: key 'dataset.name': unknown dataset 'brestmnist'; allowed: "), d.getMessage());
        assertTrue(d.getMessage().contains("breastmnist"));
        StudyFileException r = bad(HEAD + "experiments:\n  - {id: a, set: {model.dropout: 1.5}}\n");
        assertTrue(r.getMessage().contains("allowed: a rate in [0, 1)"), r.getMessage());
        StudyFileException p = bad(HEAD + "published: nowhere.csv\nexperiments: [{id: a}]\n");
        assertTrue(p.getMessage().startsWith("t.yaml:3: key 'published': no such file "), p.getMessage());
        StudyFileException s = bad("name: t\ndataset: {name: breastmnist, size: 32}\nexperiments: [{id: a}]\n");
        assertTrue(s.getMessage().endsWith("allowed: 28, 64, 128, 224"), s.getMessage());
    }

    @Test
    void dottedPathThatNamesNothing() {
        StudyFileException e = bad(HEAD + "experiments:\n  - {id: a, set: {optimizer.learning_rate: 0.1}}\n");
        assertEquals("optimizer.learning_rate", e.key());
        assertTrue(e.getMessage().startsWith("t.yaml:4: key 'optimizer.learning_rate': "), e.getMessage());
        assertTrue(e.getMessage().contains("the dotted path names no setting; allowed: lr, momentum, name, nesterov, weight_decay"),
                e.getMessage());
        StudyFileException s = bad(HEAD + "experiments:\n  - {id: a, set: {optimiser.lr: 0.1}}\n");
        assertTrue(s.getMessage().contains("key 'optimiser.lr': the dotted path names no setting"), s.getMessage());
        StudyFileException g = bad(HEAD + "grid:\n  model.depth: [1, 2]\n");
        assertTrue(g.getMessage().startsWith("t.yaml:4: key 'model.depth': the dotted path names no setting"), g.getMessage());
    }

    @Test
    void buildsOnLaterMissingAndCycles() {
        StudyFileException later = bad(HEAD + "experiments:\n  - {id: a, builds_on: b}\n  - {id: b}\n");
        assertEquals(4, later.line());
        assertTrue(later.getMessage().contains("experiment 'a' builds on 'b', which comes later in the file"), later.getMessage());
        StudyFileException missing = bad(HEAD + "experiments:\n  - {id: a}\n  - {id: b, builds_on: c}\n");
        assertEquals(5, missing.line());
        assertTrue(missing.getMessage().contains("builds on 'c', which does not exist; allowed: an earlier experiment's id"),
                missing.getMessage());
        StudyFileException cycle = bad(HEAD + "experiments:\n  - {id: a, builds_on: b}\n  - {id: b, builds_on: a}\n");
        assertTrue(cycle.getMessage().contains("builds on a cycle: a -> b -> a"), cycle.getMessage());
        assertTrue(cycle.getMessage().startsWith("t.yaml:4: "), "file and line of the first experiment in the cycle: "
                + cycle.getMessage());
        StudyFileException self = bad(HEAD + "experiments:\n  - {id: a, builds_on: a}\n");
        assertTrue(self.getMessage().contains("cycle: a -> a"), self.getMessage());
    }

    @Test
    void augmentationStepsAndNormalisationAreChecked() throws Exception {
        Study s = parse(HEAD + "defaults:\n  input: {normalize: {mean: [0.5], std: [0.25]}}\n"
                + "  augment: [{hflip: 0.5}, {affine: {translate: [0.2, 0.1]}}, {random_erasing: {p: 0.3}}]\nexperiments: [{id: a}]\n");
        StudyExperiment a = s.get("a");
        assertEquals(List.of(0.0, 0.2, 0.1, 0.9, 1.1), a.augmentSteps().get(1).values());
        assertEquals(0.3, a.augmentSteps().get(2).values().get(0));
        assertArrayEquals(new double[] {0.5}, a.input().normalize().mean(1));
        StudyFileException step = bad(HEAD + "defaults: {augment: [{flip: 0.5}]}\nexperiments: [{id: a}]\n");
        assertTrue(step.getMessage().contains("unknown augmentation step 'flip'; allowed: hflip, vflip, rotate"), step.getMessage());
        StudyFileException cj = bad(HEAD + "defaults: {augment: {steps: [{color_jitter: [0.2, 0.2]}]}}\nexperiments: [{id: a}]\n");
        assertTrue(cj.getMessage().contains("allowed: a list of 4 numbers"), cj.getMessage());
    }

    @Test
    void resizedCropTakesTorchvisionDefaultsAndChecksEveryValue() throws Exception {
        Study s = parse(HEAD + "defaults:\n  augment: [{resized_crop: {size: 28, scale: [0.5, 1.0]}}, {resized_crop: null}]\n"
                + "experiments: [{id: a}]\n");
        StudyExperiment a = s.get("a");
        assertEquals(List.of(28.0, 0.5, 1.0, 0.75, 4.0 / 3.0), a.augmentSteps().get(0).values());
        assertEquals(List.of(0.0, 0.08, 1.0, 0.75, 4.0 / 3.0), a.augmentSteps().get(1).values(), "size 0: the image's own");
        assertEquals(a.settings(), parse(StudyYaml.single(a, new Study.DatasetRef("breastmnist", 28, null))).get("a").settings(),
                "the step reads back from its YAML form");
        String at = "t.yaml:5: key 'augment.steps.resized_crop.";
        assertEquals(at + "scale': got [1.0, 0.5]; allowed: [lo, hi] with 0 < lo <= hi",
                bad(HEAD + "defaults:\n  augment:\n    - {resized_crop: {scale: [1.0, 0.5]}}\nexperiments: [{id: a}]\n").getMessage());
        assertEquals(at + "ratio': got [0.0, 1.0]; allowed: [lo, hi] with 0 < lo <= hi",
                bad(HEAD + "defaults:\n  augment:\n    - {resized_crop: {ratio: [0.0, 1.0]}}\nexperiments: [{id: a}]\n").getMessage());
        assertEquals(at + "size': got the number 2.5; allowed: a positive whole number of pixels",
                bad(HEAD + "defaults:\n  augment:\n    - {resized_crop: {size: 2.5}}\nexperiments: [{id: a}]\n").getMessage());
        assertEquals(at + "scale': got a list of 1; allowed: a list of 2 numbers",
                bad(HEAD + "defaults:\n  augment:\n    - {resized_crop: {scale: [0.5]}}\nexperiments: [{id: a}]\n").getMessage());
        StudyFileException key = bad(HEAD + "defaults:\n  augment:\n    - {resized_crop: {sise: 20}}\nexperiments: [{id: a}]\n");
        assertEquals(at + "sise': unknown key; allowed: size, scale, ratio", key.getMessage());
    }

    @Test
    void aSavedExperimentReadsBackToTheSameSettings() throws Exception {
        StudyExperiment e = BundledStudies.get("dermamnist-25").get("25");
        Study back = parse(StudyYaml.single(e, new Study.DatasetRef("dermamnist", 28, null)));
        assertEquals(e.settings(), back.experiments().get(0).settings());
        StudyExperiment g = BundledStudies.get("breastmnist-ablation").get("heavy-cosine-vit_tiny");
        assertEquals(g.settings(), parse(StudyYaml.single(g, new Study.DatasetRef("breastmnist", 28, null))).experiments().get(0).settings());
    }

    @Test
    void dermamnist25EachBuildsOnAnEarlierOneAndMatchesTheWriteUp() {
        Study s = BundledStudies.get("dermamnist-25");
        for (int i = 0; i < 25; i++) {
            StudyExperiment e = s.experiments().get(i);
            assertEquals(String.format("%02d", i + 1), e.id());
            if (i > 0) {
                assertNotNull(e.buildsOn(), e.id());
                assertTrue(e.buildsOn().compareTo(e.id()) < 0, e.id() + " must build on an earlier experiment");
            }
        }
        StudyExperiment e14 = s.get("14");
        assertEquals("normalize", e14.augmentSteps().get(3).kind(), "14's normalisation is a training-only step");
        assertTrue(e14.input().normalize().isNone(), "evaluation stays ToTensor");
        StudyExperiment e21 = s.get("21");
        assertEquals(64, e21.batch());
        assertEquals("cosine", e21.schedule().name());
        assertEquals(15, e21.epochs());
        assertEquals(1e-4, s.get("25").optimizer().lr());
        assertTrue(s.get("24").model().freezeBackbone());
        assertEquals(25, s.select("all").size());
        assertThrows(IllegalArgumentException.class, () -> s.select("26-27"));
        assertThrows(IllegalArgumentException.class, () -> s.select("x"));
    }
}
