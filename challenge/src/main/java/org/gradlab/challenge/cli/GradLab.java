package org.gradlab.challenge.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./gradlab}: the command line of GradLab. */
@Command(name = "gradlab", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = "A from-scratch Java tensor engine with autograd, and the 25-experiment DermaMNIST challenge.",
        subcommands = {ChallengeCommand.class, StudyCommand.class, EvaluateCommand.class, LrFindCommand.class, VerifyCommand.class,
                GradcheckCommand.class, ExplainCommand.class, ShellCommand.class, DoctorCommand.class, CommandLine.HelpCommand.class})
public final class GradLab implements Runnable {
    /** Subcommands that live in modules above this one (bench), added when on the class path. */
    private static final List<String> OPTIONAL = List.of("org.gradlab.bench.BenchCommand");

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new GradLab());
        // user errors (bad data file, missing CUDA, wrong device) print one clear line, not a stack trace
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (Boolean.getBoolean("gradlab.debug")) {
                ex.printStackTrace();
            }
            System.err.println("gradlab " + cmd.getCommandName() + ": " + ex.getMessage());
            return 1;
        });
        for (String cls : OPTIONAL) {
            try {
                Object cmd = Class.forName(cls).getDeclaredConstructor().newInstance();
                cl.addSubcommand(cmd);
            } catch (ClassNotFoundException e) {
                // module not on the class path: the subcommand is simply absent
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create subcommand " + cls, e);
            }
        }
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
