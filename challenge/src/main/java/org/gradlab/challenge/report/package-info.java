/**
 * Results and report of the "Beat the Baseline" rerun.
 *
 * <p>Outputs in the run folder {@code DIR}: {@code results.json} (see {@link org.gradlab.challenge.report.ResultsFile},
 * snake_case keys), {@code results.csv}, {@code charts/*.png} (XChart), {@code health/<id>.csv} and {@code .json}
 * (see {@link org.gradlab.challenge.report.HealthStore}) and {@code report.html} (self-contained).
 * A runner calls {@link org.gradlab.challenge.report.ChallengeReport#record} after each experiment: the results are
 * saved atomically first, then charts and report are re-rendered, so an interrupted run loses nothing finished.
 * {@link org.gradlab.challenge.report.ChallengeReport#consoleTable()} gives the fixed-width table for the end of a run.
 */
package org.gradlab.challenge.report;
