package org.gradlab.challenge.run;

import java.io.PrintStream;
import org.gradlab.challenge.predict.OperatingPoint;
import org.gradlab.challenge.predict.TemperatureScaling;
import org.gradlab.challenge.study.ClinicalSettings;
import org.gradlab.challenge.study.EnsembleSpec;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;

/** The winners' settings checked against the data before any training, and their results in one console line. */
final class ClinicalChecks {
    private ClinicalChecks() {}

    /** Why experiment {@code e}'s winners' settings cannot run on {@code data}, or null. */
    static String problem(Study study, StudyExperiment e, StudyData data) {
        String p = MultiSampleHeads.problem(e.model(), ClinicalSettings.multiSampleDropout(e));
        if (p != null) {
            return p;
        }
        ClinicalSettings.OperatingPoint op = ClinicalSettings.operatingPoint(e);
        if (op.active() && ClinicalSettings.classIndex(op.className(), data.classNames()) < 0) {
            return "operating_point.class '" + op.className() + "' is not a class of the data: expected a name or an index 0.."
                    + (data.numClasses() - 1) + " (" + StudyData.numbered(data.classNames())
                    + (ClinicalSettings.shortNames(data.classNames()).isEmpty() ? "" : "; short names: " + String.join(", ",
                            ClinicalSettings.shortNames(data.classNames()))) + ")";
        }
        ClinicalSettings.Tta tta = ClinicalSettings.tta(e);
        if (tta.rot90() && data.train().h() != data.train().w()) {
            return "tta.rot90 turns images by 90 degrees: expected square images, the data's are " + data.train().h() + "x"
                    + data.train().w();
        }
        p = CrossValidatedExperiment.problem(e);
        if (p != null) {
            return p;
        }
        for (EnsembleSpec s : study.ensembles()) {
            if (s.members().contains(e.id()) && ClinicalSettings.cv(e).active()) {
                return "ensemble '" + s.name() + "' cannot combine a cross-validated experiment: its validation predictions "
                        + "are out of fold over train + validation, not the validation split's";
            }
            if (s.method().equals("or") && s.members().contains(e.id()) && !op.active()) {
                return "ensemble '" + s.name() + "' uses the 'or' rule, which needs every member's operating point: set "
                        + "operating_point.class for this experiment";
            }
        }
        return null;
    }

    /** One line: the AUC with and without TTA, the temperature, and the operating point's val and test rates. */
    static void print(ClinicalResult r, PrintStream out) {
        StringBuilder sb = new StringBuilder("  ");
        if (r.ttaViews() > 1 && r.plainVal() == null) {
            sb.append(String.format("TTA x%d: val AUC %.4f, test AUC %.4f; ", r.ttaViews(), r.val().auc(), r.test().auc()));
        } else if (r.ttaViews() > 1) {
            sb.append(String.format("TTA x%d: val AUC %.4f (plain %.4f), test AUC %.4f (plain %.4f); ", r.ttaViews(),
                    r.val().auc(), r.plainVal().auc(), r.test().auc(), r.plainTest().auc()));
        }
        if (r.temperature() != null) {
            boolean bound = r.temperature() >= 1 / TemperatureScaling.MIN_BETA - 1e-6 || r.temperature() <= 1 / TemperatureScaling.MAX_BETA + 1e-6;
            sb.append(String.format("temperature %.3f%s (val NLL %.4f -> %.4f); ", r.temperature(),
                    bound ? " (at the search bound)" : "", r.calibration().get("val_before").nll(), r.calibration().get("val_after").nll()));
        }
        OperatingPoint.Result op = r.operatingPoint();
        if (op != null) {
            sb.append(String.format("%s at p >= %.4f: val recall %.3f, specificity %.3f; test recall %.3f, specificity %.3f",
                    op.className(), op.threshold(), op.val().recall(), op.val().specificity(), op.test().recall(),
                    op.test().specificity()));
        }
        if (sb.length() > 2) {
            out.println(sb.toString().replaceFirst("; $", ""));
        }
    }
}
