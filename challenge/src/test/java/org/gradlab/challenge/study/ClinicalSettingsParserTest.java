package org.gradlab.challenge.study;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The winners' settings and the study-level ensembles in the study file: values, defaults, and every error in one line. */
class ClinicalSettingsParserTest {
    private static final String HEAD = "name: t\ndataset: {name: dermamnist, size: 28}\n";

    private static StudyFileException bad(String yaml) {
        return assertThrows(StudyFileException.class, () -> StudyParserTest.parse(yaml));
    }

    @Test
    void settingsLiveInDefaultsOrSetWithNestedOrDottedKeys() throws Exception {
        Study s = StudyParserTest.parse(HEAD + "defaults: {tta: {flips: true}, operating_point: {class: mel, target_recall: 0.8}}\n"
                + "experiments:\n  - {id: a}\n"
                + "  - {id: b, builds_on: a, set: {tta.rot90: true, sampler: {name: downsample_majority, ratio: 2.0},"
                + " model.multi_sample_dropout: 5, cv.folds: 5, calibrate: temperature}}\n");
        StudyExperiment a = s.get("a");
        StudyExperiment b = s.get("b");
        assertEquals(new ClinicalSettings.Tta(true, false), ClinicalSettings.tta(a));
        assertEquals(new ClinicalSettings.Tta(true, true), ClinicalSettings.tta(b));
        assertEquals(new ClinicalSettings.Sampler("none", 1.0), ClinicalSettings.sampler(a));
        assertEquals(new ClinicalSettings.Sampler("downsample_majority", 2.0), ClinicalSettings.sampler(b));
        assertEquals(1, ClinicalSettings.multiSampleDropout(a));
        assertEquals(5, ClinicalSettings.multiSampleDropout(b));
        assertFalse(ClinicalSettings.cv(a).active());
        assertEquals(new ClinicalSettings.Cv(5, true), ClinicalSettings.cv(b));
        assertEquals(new ClinicalSettings.OperatingPoint("mel", 0.8), ClinicalSettings.operatingPoint(b));
        assertFalse(ClinicalSettings.temperature(a));
        assertTrue(ClinicalSettings.temperature(b));
        assertEquals(List.of(), s.ensembles());
        // a saved model's sidecar spells every setting out and reads back the same
        Study back = StudyParserTest.parse(StudyYaml.single(b, s.dataset()));
        assertEquals(b.settings(), back.experiments().get(0).settings());
    }

    @Test
    void ensemblesAtStudyLevel() throws Exception {
        Study s = StudyParserTest.parse(HEAD + "experiments: [{id: a}, {id: b}, {id: \"03\"}]\n"
                + "ensembles:\n  - {name: m, members: [a, b, 3]}\n  - {name: r, members: [a, b], method: rank}\n");
        assertEquals(List.of(new EnsembleSpec("m", "mean", List.of("a", "b", "03")), new EnsembleSpec("r", "rank", List.of("a", "b"))),
                s.ensembles());
    }

    @Test
    void badValuesAreOneLineErrorsWithFileLineKeyAndWhatIsAllowed() {
        assertEquals("t.yaml:4: key 'sampler.name': unknown value 'oversample'; allowed: none, balanced, downsample_majority",
                bad(HEAD + "experiments:\n  - {id: a, set: {sampler.name: oversample}}\n").getMessage());
        assertEquals("t.yaml:4: key 'tta.flips': wrong type: got text 'yes please'; allowed: true or false",
                bad(HEAD + "experiments:\n  - {id: a, set: {tta.flips: yes please}}\n").getMessage());
        assertEquals("t.yaml:4: key 'tta.mirror': the dotted path names no setting; allowed: flips, rot90",
                bad(HEAD + "experiments:\n  - {id: a, set: {tta.mirror: true}}\n").getMessage());
        assertEquals("t.yaml:3: key 'cv.folds': got 1; allowed: at least 2 folds, or null for no cross-validation",
                bad(HEAD + "defaults: {cv: {folds: 1}}\nexperiments: [{id: a}]\n").getMessage());
        assertEquals("t.yaml:3: key 'operating_point.target_recall': got 1.5; allowed: a recall in (0, 1]",
                bad(HEAD + "defaults: {operating_point: {class: mel, target_recall: 1.5}}\nexperiments: [{id: a}]\n").getMessage());
        assertEquals("t.yaml:3: key 'sampler.ratio': got -1.0; allowed: a positive number",
                bad(HEAD + "defaults: {sampler: {name: downsample_majority, ratio: -1.0}}\nexperiments: [{id: a}]\n").getMessage());
        assertEquals("t.yaml:3: key 'model.multi_sample_dropout': got 0; allowed: a positive number",
                bad(HEAD + "defaults: {model: {multi_sample_dropout: 0}}\nexperiments: [{id: a}]\n").getMessage());
        assertEquals("t.yaml:3: key 'calibrate': unknown value 'platt'; allowed: none, temperature",
                bad(HEAD + "defaults: {calibrate: platt}\nexperiments: [{id: a}]\n").getMessage());
        assertTrue(bad(HEAD + "defaults: {ensembles: []}\nexperiments: [{id: a}]\n").getMessage()
                .startsWith("t.yaml:3: key 'ensembles': unknown key"), "ensembles live at study level, not in defaults");
    }

    @Test
    void badEnsembles() {
        String exps = "experiments: [{id: a}, {id: b}]\n";
        assertEquals("t.yaml:5: key 'ensembles[].members': no experiment 'c'; allowed: a, b",
                bad(HEAD + exps + "ensembles:\n  - {name: e, members: [a, c]}\n").getMessage());
        assertEquals("t.yaml:5: key 'ensembles[].method': got text 'vote'; allowed: mean, rank, or",
                bad(HEAD + exps + "ensembles:\n  - {name: e, members: [a, b], method: vote}\n").getMessage());
        assertEquals("t.yaml:5: key 'ensembles[].members': an ensemble needs at least two members; allowed: a list of experiment ids",
                bad(HEAD + exps + "ensembles:\n  - {name: e, members: [a]}\n").getMessage());
        assertEquals("t.yaml:5: key 'ensembles[].name': 'a' is already an experiment or ensemble; allowed: a new name",
                bad(HEAD + exps + "ensembles:\n  - {name: a, members: [a, b]}\n").getMessage());
        assertEquals("t.yaml:5: key 'ensembles[].weights': unknown key; allowed: name, members, method",
                bad(HEAD + exps + "ensembles:\n  - {name: e, members: [a, b], weights: [1, 2]}\n").getMessage());
    }

    @Test
    void theBundledClinicalStudy() {
        Study s = BundledStudies.get("dermamnist-clinical");
        assertEquals(List.of("smooth", "balanced", "downsample", "weighted"), s.ids());
        assertEquals(List.of("mean4", "rank4", "any2"), s.ensembles().stream().map(EnsembleSpec::name).toList());
        for (StudyExperiment e : s.experiments()) {
            assertEquals(new ClinicalSettings.Tta(true, true), ClinicalSettings.tta(e));
            assertEquals(new ClinicalSettings.OperatingPoint("mel", 0.70), ClinicalSettings.operatingPoint(e));
        }
        assertEquals("balanced", ClinicalSettings.sampler(s.get("balanced")).name());
        assertEquals(5, ClinicalSettings.multiSampleDropout(s.get("downsample")));
        assertEquals(4, ClinicalSettings.classIndex("mel", List.of("actinic keratoses and intraepithelial carcinoma",
                "basal cell carcinoma", "benign keratosis-like lesions", "dermatofibroma", "melanoma", "melanocytic nevi",
                "vascular lesions")));
    }
}
