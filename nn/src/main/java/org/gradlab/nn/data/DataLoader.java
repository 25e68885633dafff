package org.gradlab.nn.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.cpu.Parallel;
import org.gradlab.nn.data.transforms.TensorTransform;
import org.gradlab.nn.data.transforms.ToTensor;
import org.gradlab.nn.data.transforms.Transform;

/**
 * Mini-batches of a {@link Dataset}: optional per-epoch shuffle, image transform → ToTensor
 * (written straight into the batch buffer) → tensor transforms, prepared by background workers.
 *
 * <pre>{@code
 * try (DataLoader dl = DataLoader.builder(ds).batchSize(64).shuffle(true).seed(1).workers(2)
 *         .transform(Compose.of(new RandomHorizontalFlip(0.5))).tensorTransforms(new Normalize(m, s)).build()) {
 *     for (int epoch = 0; epoch < E; epoch++)
 *         for (Batch b : dl.epoch(epoch))
 *             try (b; MemoryScope step = MemoryScope.open()) { ... }
 * }
 * }</pre>
 *
 * <p>Determinism: the order of epoch e is a Fisher–Yates shuffle driven by
 * {@code Generator(shuffleSeed(seed, e))}; sample at dataset index i in epoch e is augmented with
 * its own {@code Generator(sampleSeed(seed, e, i))}. Nothing depends on thread scheduling, so the
 * batches are identical for any number of workers (0 = build on the calling thread).
 *
 * <p>Prefetch: up to {@code prefetch} batches are submitted ahead of the consumer (a bounded
 * window); workers build them concurrently; {@code next()} returns them in order. A worker
 * exception is rethrown by {@code next()} as a {@link DataLoaderException} whose cause is the
 * original exception; the epoch is then cancelled.
 *
 * <p>NOTE: batches are built inside {@link MemoryScope#persistent()} (they belong to no scope,
 * also with 0 workers); the consumer must {@link Batch#close()} them (or let the GC free them).
 * The copy to a non-CPU device happens on the consumer thread in {@code next()}.
 *
 * <p>The per-epoch prefetching window is {@link EpochBatches}.
 */
public final class DataLoader implements Iterable<Batch>, AutoCloseable {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final Transform transform;
    private final List<TensorTransform> tensorTransforms;
    private final int workers;
    private final int prefetch;
    private final Device device;
    private final Sampler sampler;
    private ExecutorService pool;
    private EpochBatches current;
    private int nextEpoch;
    private boolean closed;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.seed = b.seed;
        this.transform = b.transform;
        this.tensorTransforms = List.copyOf(b.tensorTransforms);
        this.workers = b.workers;
        this.prefetch = b.prefetch > 0 ? b.prefetch : Math.max(2, 2 * b.workers);
        this.device = b.device;
        this.sampler = b.sampler;
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** Batches per epoch: floor(n/B) with drop-last, else ceil(n/B). */
    public int batchesPerEpoch() {
        int n = sampler != null ? sampler.length() : dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Dataset indices of epoch {@code e} in visiting order (the sampler's, when one is set). */
    public int[] order(int epoch) {
        if (sampler != null) {
            int[] idx = sampler.indices(epoch);
            if (idx.length != sampler.length()) {
                throw new IllegalStateException("DataLoader: the sampler gave " + idx.length + " indices for epoch " + epoch
                        + " but promised " + sampler.length());
            }
            return idx;
        }
        int n = dataset.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        if (shuffle) {
            Generator g = new Generator(shuffleSeed(seed, epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = g.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
        }
        return idx;
    }

    /** Iterates the next epoch (0, 1, 2, ... on successive calls). */
    @Override
    public synchronized Iterator<Batch> iterator() {
        return startEpoch(nextEpoch++);
    }

    /** The batches of epoch {@code e}; iterating it again replays the same epoch. */
    public Iterable<Batch> epoch(int e) {
        return () -> startEpoch(e);
    }

    private synchronized EpochBatches startEpoch(int epoch) {
        if (closed) {
            throw new IllegalStateException("DataLoader is closed");
        }
        if (current != null) {
            current.cancel();            // an abandoned epoch must not keep workers busy
        }
        if (workers > 0 && pool == null) {
            AtomicInteger count = new AtomicInteger();
            ThreadFactory tf = r -> {
                Thread t = new Thread(r, "gradlab-data-" + count.getAndIncrement());
                t.setDaemon(true);
                return t;
            };
            pool = Executors.newFixedThreadPool(workers, tf);
        }
        int[] order = order(epoch);
        boolean here = workers == 0; // built on the calling thread: its samples may use the kernels' threads
        current = new EpochBatches(epoch, batchesPerEpoch(), b -> build(epoch, order, b, here), pool, prefetch, device);
        return current;
    }

    /** Cancels the running epoch, releases prefetched batches and stops the workers. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (current != null) {
            current.cancel();
        }
        if (pool != null) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Builds batch {@code b} of an epoch (any thread). With {@code split} (the batch is built on
     * the training thread, no workers), its samples after the first are decoded and augmented in
     * chunks on the CPU kernels' threads ({@link Parallel}) instead of one after another: each
     * sample has its own generator and its own slice of the batch, so the batch is the same.
     * NOTE: never from a worker, which would take the kernels' threads from the training step.
     */
    Batch build(int epoch, int[] order, int b, boolean split) {
        int from = b * batchSize;
        int n = Math.min(batchSize, order.length - from);
        int[] labels = new int[n];
        Generator rng0 = rng(epoch, order, from, 0);
        Image first = sample(order, from, 0, rng0, labels);
        int per = first.channels() * first.height() * first.width();
        float[] buf = new float[n * per];
        write(first, 0, rng0, buf, per);
        Parallel.Body rest = (chunk, k0, k1) -> {
            for (int k = k0 + 1; k < k1 + 1; k++) {
                Generator rng = rng(epoch, order, from, k);
                Image img = sample(order, from, k, rng, labels);
                if (!img.sameShape(first)) {
                    throw new IllegalStateException("DataLoader: sample " + order[from + k] + " is " + img + " after transforms but "
                            + "batch " + b + " started with " + first + "; all images of a batch must have the same shape");
                }
                write(img, k, rng, buf, per);
            }
        };
        if (split) {
            Parallel.forChunks(n - 1, 1, rest);
        } else {
            rest.run(0, 0, n - 1);
        }
        float[] lf = new float[n];
        for (int k = 0; k < n; k++) {
            lf[k] = labels[k];
        }
        try (MemoryScope unowned = MemoryScope.persistent()) {
            return new Batch(Tensor.of(buf, n, first.channels(), first.height(), first.width()), labels, Tensor.of(lf, n), b);
        }
    }

    /** Sample {@code k} of the batch starting at {@code from}, after the image transform (drawing from rng); its label goes to labels[k]. */
    private Image sample(int[] order, int from, int k, Generator rng, int[] labels) {
        Sample s = dataset.get(order[from + k]);
        labels[k] = s.label();
        return transform == null ? s.image() : transform.apply(s.image(), rng);
    }

    /** Writes sample {@code k}'s image into its slice of the batch, then the tensor transforms there (drawing on from rng). */
    private void write(Image img, int k, Generator rng, float[] buf, int per) {
        ToTensor.write(img, buf, k * per);
        for (TensorTransform t : tensorTransforms) {
            t.apply(buf, k * per, img.channels(), img.height(), img.width(), rng);
        }
    }

    /** The generator of sample {@code k}: keyed by dataset index, or by position when a sampler may repeat an index. */
    private Generator rng(int epoch, int[] order, int from, int k) {
        return new Generator(sampleSeed(seed, epoch, sampler != null ? from + k : order[from + k]));
    }

    /** Seed of the shuffle of epoch {@code e}. */
    public static long shuffleSeed(long seed, int epoch) {
        return mix(mix(seed ^ 0x5DEECE66DL) + 0x9E3779B97F4A7C15L * (epoch + 1L));
    }

    /** Seed of the augmentation generator of dataset index {@code index} in epoch {@code e}. */
    public static long sampleSeed(long seed, int epoch, int index) {
        long h = mix(seed + 0xD1B54A32D192ED03L);
        h = mix(h ^ (0x9E3779B97F4A7C15L * (epoch + 1L)));
        return mix(h ^ (0xABC98388FB8FAC03L * (index + 1L)));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Thrown on the training thread when building a batch failed; the cause is the worker's exception. */
    public static final class DataLoaderException extends RuntimeException {
        public DataLoaderException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Configures a {@link DataLoader}. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 32;
        private boolean shuffle;
        private boolean dropLast;
        private long seed;
        private Transform transform;
        private final List<TensorTransform> tensorTransforms = new ArrayList<>();
        private int workers = 1;
        private int prefetch;
        private Device device = Device.CPU;
        private Sampler sampler;

        private Builder(Dataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
        }

        public Builder batchSize(int b) {
            if (b <= 0) {
                throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + b);
            }
            this.batchSize = b;
            return this;
        }

        public Builder shuffle(boolean s) {
            this.shuffle = s;
            return this;
        }

        public Builder dropLast(boolean d) {
            this.dropLast = d;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Image transform applied to every sample (use {@code Compose} for several). */
        public Builder transform(Transform t) {
            this.transform = t;
            return this;
        }

        /** In-place transforms of the float CHW sample, after ToTensor, in order. */
        public Builder tensorTransforms(TensorTransform... ts) {
            this.tensorTransforms.addAll(List.of(ts));
            return this;
        }

        /** Background worker threads; 0 = build batches on the calling thread. Default 1. */
        public Builder workers(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("DataLoader: workers must be >= 0, got " + n);
            }
            this.workers = n;
            return this;
        }

        /** Max batches prepared ahead (default max(2, 2*workers)). */
        public Builder prefetch(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("DataLoader: prefetch must be positive, got " + n);
            }
            this.prefetch = n;
            return this;
        }

        public Builder device(Device d) {
            this.device = Objects.requireNonNull(d, "device");
            return this;
        }

        /** Draw each epoch's indices from {@code s} instead of the (shuffled) dataset order; null = none. */
        public Builder sampler(Sampler s) {
            this.sampler = s;
            return this;
        }

        public DataLoader build() {
            if (sampler != null && shuffle) {
                throw new IllegalArgumentException("DataLoader: a sampler decides the order itself: expected shuffle(false) with a sampler");
            }
            return new DataLoader(this);
        }
    }
}
