package org.gradlab.challenge.cli;

import org.gradlab.engine.backend.cpu.Parallel;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --threads N}, for every command that trains ({@code @Mixin ThreadsOption threads;}):
 * the CPU kernels' thread count ({@link Parallel}), set as the option is parsed. Without it the
 * kernels use every core, or {@code GRADLAB_THREADS}.
 */
public final class ThreadsOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--threads", paramLabel = "N",
            description = "CPU threads for the kernels (default: every core, or GRADLAB_THREADS; see docs/configuration.md)")
    void threads(int n) {
        CliChecks.atLeastOne(spec, "--threads", n);
        Parallel.setThreads(n);
    }
}
