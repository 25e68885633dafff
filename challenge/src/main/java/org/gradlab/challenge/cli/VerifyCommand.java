package org.gradlab.challenge.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.gradlab.engine.golden.GoldenVerify;
import org.gradlab.nn.golden.ModelGoldenSuites;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./gradlab verify --golden DIR}: every PyTorch golden comparison (ops and whole models) over a fixture directory. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Compare the engine with PyTorch reference fixtures (one line per case; non-zero exit on any failure).")
public final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--golden", description = "fixture directory (default: ../shared/golden when present, else the repository's own, engine/src/test/resources/fixtures/golden)")
    Path golden;

    @Option(names = "--device", description = "auto | cpu | cuda[:N] (default: auto: CUDA when usable, else the CPU)", defaultValue = "auto")
    String device;

    @Override
    public Integer call() {
        ModelGoldenSuites.registerAll();
        List<String> args = new ArrayList<>();
        if (golden != null) {
            args.add(golden.toString());
        }
        args.add("--device");
        args.add(org.gradlab.engine.backend.DeviceDetection.resolve(device, System.out).toString());
        return GoldenVerify.run(args.toArray(new String[0]), System.out);
    }
}
