package org.gradlab.engine.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads behind {@link Parallel}: {@code workers} daemon threads that run the chunks of one
 * job at a time beside its caller. A job is k chunks (contiguous item ranges), each cut into
 * pieces of at most {@code step} items (one piece per chunk for {@link Parallel#forChunks}). The
 * caller publishes the job and takes chunk 0; every thread takes the next unclaimed chunk (an
 * atomic counter) and runs its pieces front to back; a thread with no chunk left then helps the
 * chunks still running, claiming their next pieces. Which thread runs which piece varies; the
 * chunks and pieces themselves (their boundaries, the chunk index a piece runs with) do not.
 *
 * <p>Why the helping: a worker that starts late (woken from park, or descheduled on a loaded host)
 * would otherwise leave its whole chunk for the end, with the caller waiting idle; with pieces to
 * claim, the caller takes over the late worker's chunk piece by piece. In the usual case each
 * thread runs its own chunk whole, so consecutive kernels split the same way find their data in
 * the same core's cache.
 *
 * <p>Why not a ForkJoinPool: a training step calls a few dozen split kernels with short gaps of
 * single-threaded work between them; a worker that parks after each one has to be woken for the
 * next (a futex and, on a virtual machine, an inter-processor interrupt). Idle workers here
 * busy-spin for {@link #SPIN_NANOS} before parking, so a kernel that follows within that time
 * starts at once. NOTE: a busy spin, not {@link Thread#yield}: on a loaded host a yielding worker
 * gives its share of the cores to other processes and is seldom running when the next kernel
 * comes (exp 08 steps at two threads: bench/README.md, "Two threads on exp 08").
 */
final class WorkerPool {
    /** How long an idle worker (or a caller waiting for the last pieces) busy-spins before it parks (or yields). */
    private static final long SPIN_NANOS = 100_000;
    /** Ints between two chunks' piece counters (64 bytes: one cache line each). */
    private static final int PAD = 16;

    /** One split call: k chunks of count items, each in pieces of at most step items. */
    private static final class Job {
        final Parallel.Body body;
        final int k;
        final int count;
        final int step;
        final int totalPieces;
        final AtomicInteger nextChunk = new AtomicInteger(1); // chunk 0 is the caller's
        final AtomicIntegerArray nextPiece; // per chunk (padded): pieces claimed so far
        final AtomicInteger finished = new AtomicInteger();
        final AtomicReferenceArray<Throwable> errors;

        Job(Parallel.Body body, int k, int count, int step) {
            this.body = body;
            this.k = k;
            this.count = count;
            this.step = step;
            this.nextPiece = new AtomicIntegerArray(k * PAD);
            this.errors = new AtomicReferenceArray<>(k);
            int total = 0;
            for (int c = 0; c < k; c++) {
                total += pieces(c);
            }
            this.totalPieces = total;
            nextPiece.set(0, 1); // and so is its first piece, claimed before the job is published
        }

        int pieces(int c) {
            long len = Parallel.start(c + 1, k, count) - Parallel.start(c, k, count);
            return (int) ((len + step - 1) / step);
        }

        boolean unclaimed() {
            if (nextChunk.get() < k) {
                return true;
            }
            for (int c = 0; c < k; c++) {
                if (nextPiece.get(c * PAD) < pieces(c)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Runs chunks, then other chunks' pieces, until none is left; counts what this thread ran.
         * The caller ({@code caller}) first runs chunk 0, whose first piece it claimed in advance.
         */
        void work(boolean caller) {
            int ran = 0;
            Parallel.enter();
            try {
                if (caller) {
                    ran += run(0, 0) + drain(0);
                }
                for (int c = nextChunk.getAndIncrement(); c < k; c = nextChunk.getAndIncrement()) {
                    ran += drain(c);
                }
                for (int c = 0; c < k; c++) {
                    ran += drain(c);
                }
            } finally {
                Parallel.leave();
                finished.addAndGet(ran);
            }
        }

        /** Claims and runs chunk c's next pieces until none is left; how many it ran. */
        private int drain(int c) {
            int n = pieces(c);
            int ran = 0;
            for (int p = nextPiece.getAndIncrement(c * PAD); p < n; p = nextPiece.getAndIncrement(c * PAD)) {
                ran += run(c, p);
            }
            return ran;
        }

        /** Runs piece p of chunk c (a failure kept for the caller); 1. */
        private int run(int c, int p) {
            int end = Parallel.start(c + 1, k, count);
            int lo = (int) Math.min(end, Parallel.start(c, k, count) + (long) p * step);
            try {
                body.run(c, lo, (int) Math.min(end, (long) lo + step));
            } catch (Throwable t) {
                errors.compareAndSet(c, null, t);
            }
            return 1;
        }
    }

    /** Tests only: how long a pool thread waits between seeing a job and claiming from it (a late worker); 0 none. */
    private static volatile long lateNanos;

    private final Thread[] workers;
    private final ReentrantLock oneJob = new ReentrantLock();
    private final AtomicInteger parked = new AtomicInteger();
    private volatile Job job;
    private volatile boolean closed;

    WorkerPool(int count) {
        workers = new Thread[count];
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(this::work, "gradlab-cpu-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /**
     * Runs chunks [0, k) of count items, each in pieces of at most step items, and returns once
     * all have finished, the first failure (in chunk order) rethrown; false, running nothing,
     * when another thread's job holds the pool.
     */
    boolean run(Parallel.Body body, int k, int count, int step) {
        if (!oneJob.tryLock()) {
            return false;
        }
        try {
            Job j = new Job(body, k, count, Math.max(1, step));
            job = j;
            if (parked.get() > 0) { // NOTE: read after publishing; a worker parks only after it found no job (see work)
                for (Thread w : workers) {
                    LockSupport.unpark(w);
                }
            }
            j.work(true);
            waitFor(() -> j.finished.get() >= j.totalPieces);
            job = null;
            for (int c = 0; c < k; c++) {
                Throwable t = j.errors.get(c);
                if (t instanceof RuntimeException r) {
                    throw r;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                if (t != null) {
                    throw new IllegalStateException(t);
                }
            }
            return true;
        } finally {
            oneJob.unlock();
        }
    }

    /** Busy-spins up to {@link #SPIN_NANOS}, then yields between checks until {@code done}. */
    private static void waitFor(java.util.function.BooleanSupplier done) {
        long start = System.nanoTime();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Tests only: every pool thread starts each job {@code nanos} late ({@code 0}: at once). */
    static void setLateNanos(long nanos) {
        lateNanos = Math.max(0, nanos);
    }

    private static void holdBack() {
        long late = lateNanos;
        if (late > 0) {
            long until = System.nanoTime() + late;
            for (long left = late; left > 0; left = until - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
    }

    /** Stops the workers once they are idle. */
    void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }

    private void work() {
        long idleSince = System.nanoTime();
        while (!closed) {
            Job j = job;
            if (j != null && j.unclaimed()) {
                holdBack();
                j.work(false);
                idleSince = System.nanoTime();
                continue;
            }
            if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                parked.incrementAndGet();
                Job again = job; // Dekker with run(): it publishes then reads parked; this counts then reads job
                if (again == null || !again.unclaimed()) {
                    LockSupport.park(this);
                }
                parked.decrementAndGet();
                idleSince = System.nanoTime();
            }
        }
    }
}
