package org.gradlab.challenge.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of what the user typed, before any work starts: each failure is a picocli
 * {@link ParameterException} (usage error, exit code 2) whose one line names the option, what it
 * expects and what came.
 */
final class CliChecks {
    private CliChecks() {
    }

    /** A count option ({@code --epochs}, {@code --limit-train}, ...) given, must be >= 1. */
    static void atLeastOne(CommandSpec spec, String option, Integer value) {
        if (value != null && value < 1) {
            throw new ParameterException(spec.commandLine(), option + " must be a whole number of at least 1, got " + value);
        }
    }

    /** A thread count that may be 0 ({@code --workers 0}: batches built on the training thread), must be >= 0. */
    static void atLeastZero(CommandSpec spec, String option, Integer value) {
        if (value != null && value < 0) {
            throw new ParameterException(spec.commandLine(), option + " must be a whole number of at least 0, got " + value);
        }
    }

    /** A file the user named must exist and be readable: never a silent fallback. */
    static void readableFile(CommandSpec spec, String option, Path file) {
        if (file == null) {
            return;
        }
        if (!Files.exists(file)) {
            throw new ParameterException(spec.commandLine(), option + " " + file + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ParameterException(spec.commandLine(), option + " " + file + ": not a readable file");
        }
    }
}
