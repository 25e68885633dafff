package org.gradlab.engine.testutil;

import java.util.List;
import org.gradlab.engine.Device;
import org.gradlab.engine.check.DeviceChecks;
import org.junit.jupiter.api.Assumptions;

/**
 * The devices a backend-agnostic test runs on: the CPU always, CUDA device 0 where it is usable.
 * NOTE: an unusable CUDA device makes its cases ABORTED (reported as skipped) with the message
 * {@value #NO_CUDA}, never passed and never failed.
 */
public final class Devices {
    public static final String NO_CUDA = "skipped: no CUDA device";

    private Devices() {}

    public static List<Device> all() {
        return List.of(Device.CPU, Device.cuda(0));
    }

    /** Aborts the calling test (skipped) when {@code d} is a CUDA device that cannot be used here. */
    public static void assumeUsable(Device d) {
        if (d.kind() == Device.Kind.CUDA && DeviceChecks.unusableReason(d) != null) {
            Assumptions.abort(NO_CUDA);
        }
    }
}
