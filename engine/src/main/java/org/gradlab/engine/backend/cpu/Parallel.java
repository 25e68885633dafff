package org.gradlab.engine.backend.cpu;


/**
 * The CPU fast paths' intra-op parallelism: ONE pool of {@link #threads()} threads (the caller
 * plus {@code threads - 1} daemon workers) and one way to split work, {@link #forChunks}: the
 * items [0, count) cut into at most {@code threads} contiguous chunks of at least {@code grain}
 * items each, run by the calling thread and the pool's workers ({@link WorkerPool}), and the call
 * returns when every chunk has finished.
 *
 * <p>Determinism: the chunk boundaries depend only on {@code count}, {@code grain} and the thread
 * count, never on scheduling. A kernel whose chunks write disjoint outputs (samples, channels,
 * rows, element ranges) gives the same bits for any thread count; a kernel that reduces across
 * chunks (the conv filter gradient over samples) gives each chunk its own partial result and adds
 * them in chunk order ({@link #chunks} says how many), so a fixed thread count gives the same bits
 * on every run.
 *
 * <p>NOTE: a {@code forChunks} inside a chunk (a kernel calling a kernel, e.g. the GEMM of one
 * batch of a batched matmul) is ONE chunk on the calling thread ({@link #chunks} says 1 there):
 * pool threads never wait on the pool, so there is no deadlock. The float64 reference loops
 * never come here.
 *
 * <p>Threads: {@code -Dgradlab.threads} or {@code GRADLAB_THREADS}, else every core
 * ({@link Runtime#availableProcessors()}); {@code --threads N} on the commands that train calls
 * {@link #setThreads}. Each chunk's GEMM is a one-thread OpenBLAS call (see docs/configuration.md
 * for OpenBLAS's own threads instead).
 */
public final class Parallel {
    /** One chunk: items [from, to) of the split, {@code chunk} its index (0-based, in item order). */
    @FunctionalInterface
    public interface Body {
        void run(int chunk, int from, int to);
    }

    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    /**
     * Least work (multiply-adds or elements) worth a chunk of its own: below it, waking a pool
     * thread costs more than it saves. Tests lower it to split tiny tensors.
     */
    private static final long DEFAULT_MIN_CHUNK_WORK = 1L << 15;
    private static volatile long minChunkWork = DEFAULT_MIN_CHUNK_WORK;
    private static volatile int threads = configured();
    private static volatile WorkerPool pool;

    private Parallel() {}

    private static int configured() {
        String v = System.getProperty("gradlab.threads", System.getenv("GRADLAB_THREADS"));
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            return check(Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("gradlab.threads / GRADLAB_THREADS: expected a whole number >= 1, got '" + v + "'");
        }
    }

    private static int check(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads: expected a whole number >= 1, got " + n);
        }
        return n;
    }

    /** Threads the CPU kernels use (the caller included). */
    public static int threads() {
        return threads;
    }

    /**
     * Sets the thread count for every later kernel call (the pool is rebuilt on its next use).
     * Call it between steps, not while kernels run on other threads.
     */
    public static synchronized void setThreads(int n) {
        check(n);
        if (n != threads) {
            WorkerPool old = pool;
            pool = null;
            threads = n;
            if (old != null) {
                old.close();
            }
        }
    }

    /** Items per chunk at least, for items of {@code workPerItem} multiply-adds or elements each. */
    static int grain(long workPerItem) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, minChunkWork / Math.max(1, workPerItem)));
    }

    /** Tests only: the least work per chunk (1 splits every kernel that can be split); {@code 0} restores the default. */
    static void setMinChunkWork(long work) {
        minChunkWork = work <= 0 ? DEFAULT_MIN_CHUNK_WORK : work;
    }

    /** How many chunks {@link #forChunks} cuts {@code count} items into with this {@code grain}. */
    public static int chunks(int count, int grain) {
        if (INSIDE.get()) {
            return 1;
        }
        long byGrain = Math.max(1, count / Math.max(1, (long) grain));
        return (int) Math.max(1, Math.min(threads, Math.min(byGrain, count)));
    }

    /** First item of chunk {@code c} of {@code k} over {@code count} items. */
    static int start(int c, int k, int count) {
        return (int) ((long) c * count / k);
    }

    /**
     * Runs {@code body} over [0, count) in {@link #chunks}(count, grain) chunks, in parallel;
     * returns when all have finished. The first exception thrown by a chunk (in chunk order) is
     * rethrown after every chunk is done, so no chunk still touches memory the caller frees.
     */
    public static void forChunks(int count, int grain, Body body) {
        int k = chunks(count, grain);
        if (count <= 0) {
            return;
        }
        if (k == 1) {
            body.run(0, 0, count);
            return;
        }
        if (!pool().run(body, k, count, Integer.MAX_VALUE)) { // another thread's kernel holds the pool: the same chunks, here, in order
            for (int c = 0; c < k; c++) {
                runInside(body, c, start(c, k, count), start(c + 1, k, count));
            }
        }
    }

    /** One thread's share of a {@link #forClaimed} call: opened at its first claim, closed when no item is left. */
    interface Claimant extends AutoCloseable {
        /** Runs item {@code item}. */
        void run(int item);

        @Override
        void close();
    }

    /**
     * Runs every item of [0, count) once, each claimed from one counter by whichever thread is free
     * (the caller and up to {@link #chunks}(count, grain) - 1 pool threads), and returns when all have finished.
     * A thread opens its {@link Claimant} at its first claim and closes it after its last, so
     * per-thread scratch is made once per thread, not per item. Which thread runs which item varies
     * from call to call: a body that sums gives each item (or fixed group of items) its own partial
     * and adds them in item order. NOTE: a pool thread that starts late finds the items already
     * claimed by the caller, instead of leaving its fixed chunk for the caller to wait on.
     */
    static void forClaimed(int count, int grain, java.util.function.Supplier<? extends Claimant> open) {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        forChunks(count, grain, (chunk, from, to) -> { // one chunk per thread; its range is ignored, items are claimed
            Claimant claimant = null;
            try {
                for (int item = next.getAndIncrement(); item < count; item = next.getAndIncrement()) {
                    if (claimant == null) {
                        claimant = open.get();
                    }
                    claimant.run(item);
                }
            } finally {
                if (claimant != null) {
                    claimant.close();
                }
            }
        });
    }

    /**
     * Most floats one piece of {@link #forPieces} should stage by default (256 KiB): the per-thread staging
     * arrays ({@link HeapStage}) then stay this small instead of growing to a whole activation
     * (12.8 MB for ResNet-18's first stage at batch 64, six slots a thread), and a piece's staged
     * data is still in L2 when it is written back.
     */
    static final int PIECE_FLOATS = 1 << 16;
    private static volatile int pieceFloats = PIECE_FLOATS;

    /** Floats a staged piece holds at most ({@link #PIECE_FLOATS} unless a test lowered it). */
    static int pieceFloats() {
        return pieceFloats;
    }

    /** Tests only: staged pieces of at most {@code floats} floats, so small tensors take several; {@code 0} restores the default. */
    static void setPieceFloats(int floats) {
        pieceFloats = floats <= 0 ? PIECE_FLOATS : floats;
    }

    /**
     * {@link #forChunks} for kernels whose items are independent: each chunk is cut into
     * consecutive pieces of at most {@code itemsPerPiece} items (at least one), and {@code body}
     * runs once per piece with its chunk's index. The chunks are those of {@code forChunks}, and an
     * item's arithmetic does not depend on which piece holds it, so the results are the same bits
     * as without pieces. NOTE: a thread that finished its own chunk claims the next pieces of
     * chunks still running ({@link WorkerPool}), so pieces of one chunk may run on two threads at
     * once and out of order: a body must not accumulate per chunk.
     */
    static void forPieces(int count, int grain, int itemsPerPiece, Body body) {
        int step = Math.max(1, itemsPerPiece);
        int k = chunks(count, grain);
        if (count <= 0) {
            return;
        }
        if (k > 1 && pool().run(body, k, count, step)) {
            return;
        }
        for (int c = 0; c < k; c++) { // one chunk, or another thread's kernel holds the pool: the same pieces, here, in order
            int to = start(c + 1, k, count);
            for (int p = start(c, k, count); p < to; p = (int) Math.min(to, (long) p + step)) {
                if (k == 1) {
                    body.run(c, p, (int) Math.min(to, (long) p + step));
                } else {
                    runInside(body, c, p, (int) Math.min(to, (long) p + step));
                }
            }
        }
    }

    /**
     * The fixed-order combine of a reduction split by {@link #forChunks}: {@code parts[0]} (the
     * destination, holding chunk 0's result) += parts[1] + parts[2] + ..., added in chunk order
     * for every element (the elements split across threads); parts 1.. are then closed. A
     * null part (a chunk that never ran) is skipped.
     */
    static void addInOrder(CpuStorage[] parts, int n) {
        try {
            if (parts.length > 1) {
                forChunks(n, grain(parts.length), (c, from, to) -> {
                    float[] sum = HeapStage.load(0, parts[0].f32(), from, to - from);
                    for (int k = 1; k < parts.length; k++) {
                        if (parts[k] != null) {
                            float[] add = HeapStage.load(1, parts[k].f32(), from, to - from);
                            for (int i = 0; i < to - from; i++) {
                                sum[i] += add[i];
                            }
                        }
                    }
                    HeapStage.store(sum, parts[0].f32(), from, to - from);
                });
            }
        } finally {
            for (int k = 1; k < parts.length; k++) {
                if (parts[k] != null) {
                    parts[k].close();
                }
            }
        }
    }

    /** Runs one chunk with the nested-split flag set (see the class comment). */
    static void runInside(Body body, int chunk, int from, int to) {
        enter();
        try {
            body.run(chunk, from, to);
        } finally {
            leave();
        }
    }

    /** Sets the nested-split flag on this thread: a pool thread (or the caller) starts running chunks. */
    static void enter() {
        INSIDE.set(true);
    }

    /** Clears the nested-split flag set by {@link #enter}. */
    static void leave() {
        INSIDE.set(false);
    }

    private static WorkerPool pool() {
        WorkerPool p = pool;
        if (p != null) {
            return p;
        }
        synchronized (Parallel.class) {
            if (pool == null) {
                pool = new WorkerPool(threads - 1);
            }
            return pool;
        }
    }
}
