package org.gradlab.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.OpProfiler;
import org.gradlab.engine.backend.cpu.Parallel;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.nn.Module;
import org.gradlab.nn.models.ChallengeModels;
import org.gradlab.nn.optim.Adam;

/**
 * CPU time of one exp-08 training step (forward, cross-entropy, zero_grad, backward, Adam) on one
 * fixed batch of 32, per op and layer and whole: the counterpart of
 * {@code bench/scripts/pytorch_step_cpu.py} (same model, recipe and batch size), for comparing
 * the two per op on a LOADED host, where wall time mostly measures the other processes. Run the
 * two alternately and compare medians:
 * <pre>
 *   java -Dgradlab.threads=1 -cp bench/target/gradlab-benchmarks.jar org.gradlab.bench.StepCpuTime 101
 *   OMP_NUM_THREADS=1 /usr/bin/python3 bench/scripts/pytorch_step_cpu.py --steps 101
 * </pre>
 * Argument: timed steps (after 30 warm-up steps). Prints the median whole-step CPU time of the
 * training thread, then one more pass of as many steps under the op profiler on the CPU clock
 * ({@link OpProfiler.Clock#CPU}). With several threads ({@code -Dgradlab.threads}) both are the
 * training thread's share; the process's total is {@code /usr/bin/time}'s user time.
 */
public final class StepCpuTime {
    private StepCpuTime() {}

    private static final int WARMUP = 30;

    public static void main(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("expected: STEPS (timed steps, e.g. 101), got " + Arrays.toString(args));
        }
        int steps = Integer.parseInt(args[0]);
        if (steps < 1) {
            throw new IllegalArgumentException("STEPS: expected a whole number >= 1, got " + steps);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Generator gen = new Generator(0);
        Module model = ChallengeModels.exp08BatchNorm(gen);
        model.train();
        Adam opt = new Adam(model.trainableParameters(), 1e-3);
        Tensor x = Tensor.normal(gen, 0.5, 0.25, DType.F32, Device.CPU, 32, 3, 28, 28);
        int[] y = new int[32];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % ChallengeModels.NUM_CLASSES;
        }
        double[] ms = new double[steps];
        for (int s = -WARMUP; s < steps; s++) {
            long t0 = mx.getCurrentThreadCpuTime();
            step(model, opt, x, y);
            if (s >= 0) {
                ms[s] = (mx.getCurrentThreadCpuTime() - t0) / 1e6;
            }
        }
        Arrays.sort(ms);
        System.out.printf("GradLab, %d thread(s), exp 08 step on a fixed batch of 32: CPU ms of the training thread, median of %d "
                + "steps%n", Parallel.threads(), steps);
        try (OpProfiler prof = OpProfiler.start(OpProfiler.Clock.CPU)) {
            for (int s = 0; s < steps; s++) {
                step(model, opt, x, y);
            }
            System.out.print(prof.table(steps));
        }
        System.out.printf("RESULT framework=gradlab threads=%d step_cpu_ms=%.3f%n", Parallel.threads(), ms[steps / 2]);
    }

    private static void step(Module model, Adam opt, Tensor x, int[] y) {
        try (MemoryScope scope = MemoryScope.open()) {
            OpProfiler.lap();
            Tensor loss = CrossEntropy.apply(model.forward(x), y, null, 0, Reduction.MEAN);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            loss.item();
        }
    }
}
