package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Parallel}: how work is cut, where it runs, what happens on failure and when nested. */
class ParallelTest {
    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
        WorkerPool.setLateNanos(0);
    }

    @Test
    void chunksCoverEveryItemOnceInFixedContiguousRanges() {
        Parallel.setThreads(3);
        for (int count : new int[] {1, 2, 3, 10, 1000}) {
            int k = Parallel.chunks(count, 1);
            assertEquals(Math.min(3, count), k, count + " items");
            int[] hits = new int[count];
            int[][] ranges = new int[k][];
            Parallel.forChunks(count, 1, (c, from, to) -> {
                ranges[c] = new int[] {from, to};
                for (int i = from; i < to; i++) {
                    hits[i]++;
                }
            });
            int[] ones = new int[count];
            java.util.Arrays.fill(ones, 1);
            assertArrayEquals(ones, hits, count + " items: each visited once");
            for (int c = 0; c < k; c++) {
                assertEquals(Parallel.start(c, k, count), ranges[c][0], "chunk " + c + " start");
                assertEquals(Parallel.start(c + 1, k, count), ranges[c][1], "chunk " + c + " end");
            }
        }
        assertEquals(2, Parallel.chunks(1000, 400), "a chunk gets at least the grain");
        assertEquals(1, Parallel.chunks(1000, 5000));
    }

    @Test
    void piecesCutEachChunkWithoutMovingItsBounds() {
        Parallel.setThreads(3);
        int count = 100;
        int k = Parallel.chunks(count, 1);
        java.util.List<int[]> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Parallel.forPieces(count, 1, 7, (c, from, to) -> seen.add(new int[] {c, from, to}));
        seen.sort(java.util.Comparator.<int[]>comparingInt(p -> p[0]).thenComparingInt(p -> p[1])); // helpers may run a chunk's pieces out of order
        int[] hits = new int[count];
        for (int c = 0; c < k; c++) {
            int at = Parallel.start(c, k, count);
            for (int[] p : seen) {
                if (p[0] == c && p[1] == at) {
                    assertTrue(p[2] - p[1] >= 1 && p[2] - p[1] <= 7, "piece of " + (p[2] - p[1]) + " items");
                    for (int i = p[1]; i < p[2]; i++) {
                        hits[i]++;
                    }
                    at = p[2];
                }
            }
            assertEquals(Parallel.start(c + 1, k, count), at, "chunk " + c + "'s pieces end at its end");
        }
        int[] ones = new int[count];
        java.util.Arrays.fill(ones, 1);
        assertArrayEquals(ones, hits, "each item in exactly one piece");
        assertEquals(seen.size(), java.util.stream.IntStream.range(0, k)
                .map(c -> (Parallel.start(c + 1, k, count) - Parallel.start(c, k, count) + 6) / 7).sum(), "no other pieces");
    }

    @Test
    void chunk0RunsOnTheCallerAndTheOthersOnPoolThreadsWhileItIsBusy() {
        Parallel.setThreads(3);
        Thread[] ran = new Thread[3];
        Parallel.forChunks(3, 1, (c, from, to) -> {
            ran[c] = Thread.currentThread();
            if (c == 0) {
                sleep(100); // the workers claim chunks 1 and 2 meanwhile
            }
        });
        assertSame(Thread.currentThread(), ran[0]);
        assertTrue(ran[1].getName().startsWith("gradlab-cpu-"), ran[1].getName());
        assertTrue(ran[2].getName().startsWith("gradlab-cpu-"), ran[2].getName());
    }

    @Test
    void aThreadDoneWithItsChunkRunsTheNextPiecesOfAChunkStillRunning() {
        Parallel.setThreads(2);
        int count = 20;
        Thread[] ran = new Thread[count];
        int[] chunkOf = new int[count];
        Parallel.forPieces(count, 1, 1, (c, from, to) -> {
            ran[from] = Thread.currentThread();
            chunkOf[from] = c;
            if (from == 0) {
                sleep(200); // the worker finishes chunk 1 and takes chunk 0's pieces 1..9 meanwhile
            }
        });
        for (int i = 0; i < count; i++) {
            assertEquals(i < 10 ? 0 : 1, chunkOf[i], "item " + i + " keeps its chunk's index");
        }
        assertSame(Thread.currentThread(), ran[0]);
        for (int i = 1; i < count; i++) {
            assertTrue(ran[i].getName().startsWith("gradlab-cpu-"), "item " + i + " ran on " + ran[i].getName());
        }
    }

    @Test
    void claimedItemsRunOnceEachWithOneClaimantPerThreadOpenedAndClosed() {
        Parallel.setThreads(3);
        int count = 40;
        AtomicInteger[] hits = new AtomicInteger[count];
        for (int i = 0; i < count; i++) {
            hits[i] = new AtomicInteger();
        }
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        java.util.Set<Thread> openers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Parallel.forClaimed(count, 1, () -> {
            opened.incrementAndGet();
            assertTrue(openers.add(Thread.currentThread()), "a second claimant on " + Thread.currentThread().getName());
            return new Parallel.Claimant() {
                @Override
                public void run(int item) {
                    hits[item].incrementAndGet();
                    sleep(1);
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
        });
        for (int i = 0; i < count; i++) {
            assertEquals(1, hits[i].get(), "item " + i);
        }
        assertTrue(opened.get() >= 1 && opened.get() <= 3, opened.get() + " claimants");
        assertEquals(opened.get(), closed.get(), "every claimant closed");
    }

    @Test
    void aLatePoolThreadLeavesTheClaimedItemsToTheCaller() {
        Parallel.setThreads(2);
        WorkerPool.setLateNanos(300_000_000L); // the pool thread claims 300 ms after the job appears
        int count = 8;
        Thread[] ran = new Thread[count];
        long started = System.nanoTime();
        Parallel.forClaimed(count, 1, () -> new Parallel.Claimant() {
            @Override
            public void run(int item) {
                ran[item] = Thread.currentThread();
                sleep(5);
            }

            @Override
            public void close() {}
        });
        long ms = (System.nanoTime() - started) / 1_000_000;
        WorkerPool.setLateNanos(0);
        Parallel.setThreads(1); // a fresh pool for the next test: this one's thread may still be holding back
        for (int i = 0; i < count; i++) {
            assertSame(Thread.currentThread(), ran[i], "item " + i + " ran on " + ran[i].getName());
        }
        assertTrue(ms < 250, "the caller ran the late thread's share and returned without it: " + ms + " ms");
    }

    @Test
    void anotherThreadsSplitWhileThePoolIsBusyRunsTheSameChunksOnItsOwnThread() throws InterruptedException {
        Parallel.setThreads(2);
        int[][] seen = new int[2][];
        Thread other = new Thread(() -> {
            Thread self = Thread.currentThread();
            int[] r = new int[4];
            Parallel.forChunks(10, 1, (c, from, to) -> {
                assertSame(self, Thread.currentThread());
                r[2 * c] = from;
                r[2 * c + 1] = to;
            });
            seen[1] = r;
        });
        Parallel.forChunks(2, 1, (c, from, to) -> {
            if (c == 0) {
                other.start(); // runs its split while this one holds the pool
                try {
                    other.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertArrayEquals(new int[] {0, 5, 5, 10}, seen[1]);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aFailingChunkIsRethrownAfterEveryChunkFinished() {
        Parallel.setThreads(3);
        AtomicInteger finished = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forChunks(3, 1, (c, from, to) -> {
            if (c == 0) {
                throw new IllegalStateException("chunk 0 failed");
            }
            sleep(50);
            finished.incrementAndGet();
        }));
        assertEquals("chunk 0 failed", e.getMessage());
        assertEquals(2, finished.get(), "the other chunks had finished when the call returned");
    }

    @Test
    void aSplitInsideAChunkIsOneChunkOnItsThread() {
        Parallel.setThreads(2);
        int[] inner = new int[2];
        Parallel.forChunks(2, 1, (c, from, to) -> {
            inner[c] = Parallel.chunks(100, 1);
            Thread self = Thread.currentThread();
            Parallel.forChunks(100, 1, (ic, a, b) -> {
                assertSame(self, Thread.currentThread());
                assertEquals(0, a);
                assertEquals(100, b);
            });
        });
        assertArrayEquals(new int[] {1, 1}, inner);
    }

    @Test
    void badThreadCountsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertEquals("threads: expected a whole number >= 1, got 0", e.getMessage());
    }
}
