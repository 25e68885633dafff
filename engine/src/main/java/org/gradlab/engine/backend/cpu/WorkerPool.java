package org.gradlab.engine.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads behind {@link Parallel}: {@code workers} daemon threads that run the chunks of one
 * job at a time beside its caller. The caller publishes the job, runs chunk 0, then claims further
 * chunks like the workers do (an atomic counter), and waits for the last one. Which thread runs
 * which chunk varies; the chunks themselves (their boundaries, their partial results) do not.
 *
 * <p>Why not a ForkJoinPool: a training step calls a few dozen split kernels with short gaps of
 * single-threaded work between them; a worker that parks after each one has to be woken for the
 * next (a futex and, on a virtual machine, an inter-processor interrupt). Idle workers here spin
 * for {@link #SPIN_NANOS} first, so a kernel that follows within that time starts at once.
 */
final class WorkerPool {
    /** How long an idle worker (or a caller waiting for the last chunk) spins before it parks (or yields). */
    private static final long SPIN_NANOS = 100_000;

    /** One split call: chunks [0, k) of {@code count} items. */
    private static final class Job {
        final Parallel.Body body;
        final int k;
        final int count;
        final AtomicInteger next = new AtomicInteger(1); // chunk 0 is the caller's
        final AtomicInteger finished = new AtomicInteger();
        final Throwable[] errors;

        Job(Parallel.Body body, int k, int count) {
            this.body = body;
            this.k = k;
            this.count = count;
            this.errors = new Throwable[k];
        }

        /** Claims and runs chunks until none is left. */
        void runClaimed() {
            for (int c = next.getAndIncrement(); c < k; c = next.getAndIncrement()) {
                run(c);
            }
        }

        void run(int c) {
            try {
                Parallel.runInside(body, c, Parallel.start(c, k, count), Parallel.start(c + 1, k, count));
            } catch (Throwable t) {
                errors[c] = t;
            } finally {
                finished.incrementAndGet();
            }
        }
    }

    private final Thread[] workers;
    private final ReentrantLock oneJob = new ReentrantLock();
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
     * Runs chunks [0, k) and returns once all have finished, the first failure (in chunk order)
     * rethrown; false, running nothing, when another thread's job holds the pool.
     */
    boolean run(Parallel.Body body, int k, int count) {
        if (!oneJob.tryLock()) {
            return false;
        }
        try {
            Job j = new Job(body, k, count);
            job = j;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            j.run(0);
            j.runClaimed();
            long start = System.nanoTime();
            while (j.finished.get() < k) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            job = null;
            for (Throwable t : j.errors) {
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
            if (j != null && j.next.get() < j.k) {
                j.runClaimed();
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
                idleSince = System.nanoTime();
            }
        }
    }
}
