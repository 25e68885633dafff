package org.gradlab.challenge.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.gradlab.engine.check.GradCheck;
import org.gradlab.engine.check.OpCases;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ./gradlab gradcheck [op...]}: float64 central differences against autograd, for every registered op. */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = "Float64 central-difference gradient check of every registered op (or the ones named); non-zero exit on any failure.")
public final class GradcheckCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", description = "op names, e.g. conv2d max_pool2d (default: all)")
    List<String> ops = new ArrayList<>();

    @Override
    public Integer call() {
        List<GradCheck.Result> results = OpCases.gradcheck(ops);
        if (results.isEmpty()) {
            System.out.println("no registered op matches " + ops);
            return 2;
        }
        int failed = 0;
        System.out.printf("%-52s %12s %14s  %s%n", "op (case)", "max abs err", "rel err > atol", "result");
        for (GradCheck.Result r : results) {
            // "-": no element's error exceeded the absolute tolerance, so no relative error was needed
            String rel = r.maxRelError() == 0 ? "-" : String.format("%.2e", r.maxRelError());
            System.out.printf("%-52s %12.2e %14s  %s%n", r.op(), r.maxAbsError(), rel, r.passed() ? "PASS" : "FAIL");
            if (!r.passed()) {
                failed++;
                System.out.println("    " + r.failure());
            }
        }
        System.out.printf("%d passed, %d failed%n", results.size() - failed, failed);
        return failed == 0 ? 0 : 1;
    }
}
