package org.gradlab.challenge.run;

import java.nio.file.Path;
import java.util.List;
import org.gradlab.challenge.experiments.Experiment;

/** Everything {@code ./gradlab challenge} was asked to do. Nullable fields mean "not given". */
public record ChallengeOptions(List<Experiment> experiments, Path data, String dataset, Path cache, String device,
                               long seed, Integer epochs, Integer limitTrain, Path out, boolean resume, Path weights,
                               int workers) {
}
