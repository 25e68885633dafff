package org.gradlab.engine.golden;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.io.Npz;

/**
 * Base of the single-op suites: every discovered case runs twice, with the engine in float64
 * and in float32; an exception fails that case (reported, not thrown).
 */
public abstract class OpSuite implements GoldenSuite {
    private final String fileName;

    protected OpSuite(String fileName) {
        this.fileName = fileName;
    }

    @Override
    public final String fileName() {
        return fileName;
    }

    /**
     * Whether this suite has code for {@code caseName}; the cases it has none for are listed as
     * "not checked" (a fixture file may hold cases of several suites, e.g. activations.npz).
     */
    protected boolean handles(String caseName) {
        return true;
    }

    /** Runs one case in {@code d.dtype()}: build inputs, forward, backward, compare. */
    protected abstract void runCase(CaseData d);

    @Override
    public void run(Npz npz, Reporter reporter) {
        run(npz, reporter, Device.CPU);
    }

    @Override
    public void run(Npz npz, Reporter reporter, Device device) {
        var cases = GoldenCases.caseNames(npz);
        if (cases.isEmpty()) {
            reporter.fail(fileName, "-", "-", "-", "no cases (<case>.<group>.<name> keys) in the file");
        }
        for (String c : cases) {
            if (!handles(c)) {
                reporter.notChecked(fileName, c, "no code for this case in " + getClass().getSimpleName());
                continue;
            }
            for (DType dt : new DType[] {DType.F64, DType.F32}) {
                CaseData d = new CaseData(npz, fileName, c, dt, reporter, device);
                try (MemoryScope s = MemoryScope.open()) {
                    runCase(d);
                } catch (RuntimeException e) {
                    d.fail("-", e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        }
    }
}
