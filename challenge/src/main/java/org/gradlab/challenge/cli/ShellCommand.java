package org.gradlab.challenge.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./gradlab shell}: jshell with GradLab's class path and the common imports
 * ({@code startup.jsh} beside this class), in the same terminal.
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = "Open jshell with GradLab on the class path and the common imports (Tensor, ops, layers, optimizers).")
public final class ShellCommand implements Callable<Integer> {
    @Parameters(description = "further jshell arguments, e.g. a script file to run", arity = "0..*")
    List<String> jshellArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path jshell = Path.of(System.getProperty("java.home"), "bin", isWindows() ? "jshell.exe" : "jshell");
        if (!Files.isExecutable(jshell)) {
            throw new IllegalStateException("no jshell at " + jshell + ": the shell needs a JDK 17+, not a JRE");
        }
        Path startup = Files.createTempFile("gradlab-startup", ".jsh");
        try (InputStream in = ShellCommand.class.getResourceAsStream("startup.jsh")) {
            Files.copy(in, startup, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            List<String> cmd = new ArrayList<>(List.of(jshell.toString(), "--class-path", System.getProperty("java.class.path"),
                    "--startup", "DEFAULT", "--startup", startup.toString(),
                    "-R-Dgradlab.root=" + System.getProperty("gradlab.root", "."), "-R-Djava.awt.headless=true"));
            if (org.gradlab.engine.backend.cpu.VectorLanes.modulePresent()) {
                cmd.add("-R--add-modules=" + org.gradlab.engine.backend.cpu.VectorLanes.MODULE); // the shell's JVM runs the vector kernels as this one does
            }
            cmd.addAll(jshellArgs);
            return new ProcessBuilder(cmd).inheritIO().start().waitFor();
        } finally {
            Files.deleteIfExists(startup);
        }
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
    }
}
