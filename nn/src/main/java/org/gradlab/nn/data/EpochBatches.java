package org.gradlab.nn.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.gradlab.engine.Device;
import org.gradlab.engine.MemoryScope;

/**
 * One epoch of a {@link DataLoader}: a window of at most {@code prefetch} batches submitted to the workers, returned
 * in order; without workers ({@code pool} null) each batch is built on the calling thread in {@code next()}. A failed
 * build cancels the epoch and is rethrown as a {@link DataLoader.DataLoaderException}; a cancelled epoch releases the
 * batches built but not consumed. The copy to a non-CPU device happens in {@code next()}.
 */
final class EpochBatches implements Iterator<Batch> {
    private final int epoch;
    private final int total;
    private final IntFunction<Batch> build;
    private final ExecutorService pool;
    private final int prefetch;
    private final Device device;
    private final ArrayDeque<Future<Batch>> window = new ArrayDeque<>();
    private int submitted;
    private int returned;
    private volatile boolean cancelled;

    /**
     * @param total batches in the epoch
     * @param build builds batch {@code b} of the epoch (on any thread)
     * @param pool  the loader's workers, or null to build on the calling thread
     */
    EpochBatches(int epoch, int total, IntFunction<Batch> build, ExecutorService pool, int prefetch, Device device) {
        this.epoch = epoch;
        this.total = total;
        this.build = build;
        this.pool = pool;
        this.prefetch = prefetch;
        this.device = device;
        fill();
    }

    private void fill() {
        if (pool == null) {
            return;
        }
        while (!cancelled && submitted < total && window.size() < prefetch) {
            int b = submitted++;
            window.add(pool.submit(() -> {
                Batch built = build.apply(b);
                if (cancelled) {             // finished after cancel(): nobody will consume it
                    built.close();
                }
                return built;
            }));
        }
    }

    @Override
    public boolean hasNext() {
        return !cancelled && returned < total;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException(cancelled ? "DataLoader epoch " + epoch + " was cancelled" : "end of epoch");
        }
        int b = returned;
        Batch cpu;
        if (pool == null) {
            try {
                cpu = build.apply(b);
            } catch (RuntimeException | Error e) {
                cancel();
                throw new DataLoader.DataLoaderException("DataLoader: building batch " + b + " of epoch " + epoch + " failed: "
                        + e, e);
            }
        } else {
            Future<Batch> f = window.poll();
            try {
                cpu = f.get();
            } catch (ExecutionException e) {
                cancel();
                throw new DataLoader.DataLoaderException("DataLoader: worker failed on batch " + b + " of epoch " + epoch
                        + ": " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new DataLoader.DataLoaderException("DataLoader: interrupted waiting for batch " + b, e);
            } catch (CancellationException e) {
                throw new DataLoader.DataLoaderException("DataLoader: batch " + b + " was cancelled (loader closed?)", e);
            }
            fill();
        }
        returned++;
        return onDevice(cpu);
    }

    private Batch onDevice(Batch cpu) {
        if (device.equals(cpu.images().device())) {
            return cpu;
        }
        try (MemoryScope unowned = MemoryScope.persistent()) {
            Batch out = new Batch(cpu.images().to(device), cpu.labels(), cpu.labelsTensor().to(device), cpu.index());
            cpu.close();
            return out;
        }
    }

    /** Stops submitting, cancels pending batches and releases finished-but-unconsumed ones. */
    void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        List<Future<Batch>> pending = new ArrayList<>(window);
        window.clear();
        for (Future<Batch> f : pending) {
            if (!f.cancel(false) && f.isDone() && !f.isCancelled()) {
                try {
                    f.get().close();
                } catch (ExecutionException | InterruptedException | CancellationException ignored) {
                    // failed or cancelled: nothing to release
                }
            }
        }
    }
}
