package org.gradlab.engine.autograd;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a training step's time goes, op by op and layer by layer: while a profiler is
 * {@linkplain #start started} on a thread, the tape stamps the wall clock at every recorded op
 * (forward) and after every node of {@link Autograd#backward} (backward).
 *
 * <ul>
 *   <li>forward time of an op = clock at its {@code record} − the previous stamp, i.e. its kernel
 *       plus the module code that ran since the op before it (views, checks, allocation);
 *   <li>backward time of an op = its backward, the un-broadcast of its input gradients and their
 *       accumulation into a leaf's {@code .grad};
 *   <li>{@value #GRADIENT_SUM} (backward) = adding a gradient to the one already pending for a tensor
 *       that several ops read (a residual stream, a shared input), charged to the layer of the op
 *       that made that tensor, not to the op whose backward produced the addend: PyTorch's profiler
 *       shows that sum as its own {@code add} too.
 * </ul>
 *
 * <p>Call {@link #lap()} before a forward pass so that what ran before it (waiting for data,
 * the optimizer) is not charged to the first op. Costs one clock reading and one map
 * update per op; nothing when no profiler is running.
 *
 * <p>NOTE: time is wall clock on the calling thread by default. Work another thread does
 * concurrently (a data-loading worker) is not in it, but it can slow the kernels it shares a core
 * with. {@link Clock#CPU} ({@code -Dgradlab.profileClock=cpu}) stamps the calling thread's CPU
 * time instead (about a microsecond per reading): on a loaded
 * host, where wall time mostly measures the other processes, a one-thread profile then still
 * shows each op's own work; with several kernel threads it shows the calling thread's share
 * (its own chunk, its waiting for the others, and the work that does not split).
 */
public final class OpProfiler implements AutoCloseable {
    static final String FORWARD = "forward";
    static final String BACKWARD = "backward";
    /** The row name of the pending-gradient sums (see the class comment). */
    public static final String GRADIENT_SUM = "GradientSum";
    private static final ThreadLocal<OpProfiler> ACTIVE = new ThreadLocal<>();

    /** Accumulated time of one (phase, op, layer): nanoseconds and calls. */
    public record Entry(String phase, String op, String scope, long nanos, long calls) {}

    private record Key(String phase, String op, String scope) {}

    /**
     * What a stamp reads: the wall clock, or the calling thread's CPU time (see the class comment).
     * {@code -Dgradlab.profileClock=cpu|wall} picks {@link #start()}'s.
     */
    public enum Clock {
        WALL, CPU;

        private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

        /** The clock {@code -Dgradlab.profileClock} names (default wall). */
        public static Clock configured() {
            String v = System.getProperty("gradlab.profileClock", "wall").trim();
            return switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "wall" -> WALL;
                case "cpu" -> CPU;
                default -> throw new IllegalArgumentException("gradlab.profileClock: expected cpu or wall, got '" + v + "'");
            };
        }

        long now() {
            return this == CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        }
    }

    private final Map<Key, long[]> totals = new LinkedHashMap<>(); // {nanos, calls}
    private final OpProfiler previous;
    private final Clock clock;
    private long last;

    private OpProfiler(OpProfiler previous, Clock clock) {
        this.previous = previous;
        this.clock = clock;
        this.last = clock.now();
    }

    /** Starts profiling the ops of this thread until {@link #close()}, on the clock {@code -Dgradlab.profileClock} names. */
    public static OpProfiler start() {
        return start(Clock.configured());
    }

    /** Starts profiling the ops of this thread until {@link #close()}, on {@code clock}. */
    public static OpProfiler start(Clock clock) {
        OpProfiler p = new OpProfiler(ACTIVE.get(), clock);
        ACTIVE.set(p);
        return p;
    }

    /** The clock this profiler stamps. */
    public Clock clock() {
        return clock;
    }

    /** The running profiler's clock reading in nanoseconds (wall time when none runs), for {@link #exclude}. */
    static long now() {
        OpProfiler p = ACTIVE.get();
        return p == null ? System.nanoTime() : p.clock.now();
    }

    /** Restarts the clock of the running profiler (if any): time until the next op is not charged to it. */
    public static void lap() {
        OpProfiler p = ACTIVE.get();
        if (p != null) {
            p.last = p.clock.now();
        }
    }

    /** Leaves the time since {@code sinceNanos} ({@link #now()}) out of the op being timed. */
    static void exclude(long sinceNanos) {
        OpProfiler p = ACTIVE.get();
        if (p != null) {
            p.last += p.clock.now() - sinceNanos;
        }
    }

    /**
     * Charges the time since {@code sinceNanos} ({@link #now()}) to the row (phase, {@code name},
     * {@code scope}) instead of to the op being timed.
     */
    static void charge(String phase, String name, String scope, long sinceNanos) {
        OpProfiler p = ACTIVE.get();
        if (p == null) {
            return;
        }
        long elapsed = p.clock.now() - sinceNanos;
        long[] t = p.totals.computeIfAbsent(new Key(phase, name, scope), k -> new long[2]);
        t[0] += elapsed;
        t[1]++;
        p.last += elapsed;
    }

    static void stamp(String phase, Op op) {
        OpProfiler p = ACTIVE.get();
        if (p == null) {
            return;
        }
        long now = p.clock.now();
        long[] t = p.totals.computeIfAbsent(new Key(phase, op.name(), op.scope()), k -> new long[2]);
        t[0] += now - p.last;
        t[1]++;
        p.last = now;
    }

    /** Everything recorded, in first-seen order. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(totals.size());
        totals.forEach((k, t) -> out.add(new Entry(k.phase(), k.op(), k.scope(), t[0], t[1])));
        return out;
    }

    /** Total profiled nanoseconds of one phase ("forward" or "backward"). */
    public long totalNanos(String phase) {
        long sum = 0;
        for (Entry e : entries()) {
            if (e.phase().equals(phase)) {
                sum += e.nanos();
            }
        }
        return sum;
    }

    /**
     * A table per op type: forward and backward milliseconds per step and their share of the
     * profiled total, heaviest first; then the same per layer (module scope).
     */
    public String table(long steps) {
        StringBuilder sb = new StringBuilder();
        double total = Math.max(1, totalNanos(FORWARD) + totalNanos(BACKWARD));
        appendRows(sb, "op", "calls", grouped(Entry::op), steps, total);
        appendRows(sb, "layer", "ops", grouped(e -> (e.scope().isEmpty() ? "(top level)" : e.scope()) + " " + e.op()), steps, total);
        sb.append(String.format("  %-30s %9.3f %9.3f%n", "total", totalNanos(FORWARD) / 1e6 / steps,
                totalNanos(BACKWARD) / 1e6 / steps));
        return sb.toString();
    }

    private static void appendRows(StringBuilder sb, String what, String count, List<Sum> sums, long steps, double total) {
        sb.append(String.format("  %-30s %9s %9s %7s %7s%n", what, "fwd ms", "bwd ms", count, "share"));
        sums.sort(Comparator.comparingLong((Sum s) -> s.forward + s.backward).reversed());
        for (Sum s : sums) {
            sb.append(String.format("  %-30s %9.3f %9.3f %7.1f %6.1f%%%n", s.key, s.forward / 1e6 / steps, s.backward / 1e6 / steps,
                    (double) s.calls() / steps, 100 * (s.forward + s.backward) / total));
        }
    }

    /** Forward and backward time of one group of entries. */
    private static final class Sum {
        final String key;
        long forward;
        long backward;
        long forwardCalls;
        long backwardCalls;

        Sum(String key) {
            this.key = key;
        }

        /** Forward calls; backward ones for a backward-only row ({@link #GRADIENT_SUM}). */
        long calls() {
            return forwardCalls > 0 ? forwardCalls : backwardCalls;
        }
    }

    private List<Sum> grouped(Function<Entry, String> key) {
        Map<String, Sum> g = new LinkedHashMap<>();
        for (Entry e : entries()) {
            Sum s = g.computeIfAbsent(key.apply(e), Sum::new);
            if (e.phase().equals(FORWARD)) {
                s.forward += e.nanos();
                s.forwardCalls += e.calls();
            } else {
                s.backward += e.nanos();
                s.backwardCalls += e.calls();
            }
        }
        return new ArrayList<>(g.values());
    }

    @Override
    public void close() {
        if (ACTIVE.get() == this) {
            if (previous == null) {
                ACTIVE.remove();
            } else {
                ACTIVE.set(previous);
            }
        }
    }
}
