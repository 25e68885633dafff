package org.gradlab.challenge.run;

import java.nio.file.Path;
import java.util.List;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;

/**
 * Everything {@code ./gradlab study run} (or {@code challenge}) was asked to do. Nullable fields mean "not given".
 *
 * @param experiments the selected experiments, in study order
 * @param epochs      overrides every experiment's epochs
 */
public record StudyOptions(Study study, List<StudyExperiment> experiments, Path data, Path cache, String device, long seed,
                           Integer epochs, Integer limitTrain, Path out, boolean resume, Path weights, int workers) {
}
