package org.gradlab.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.data.transforms.ColorJitter;
import org.gradlab.nn.data.transforms.Compose;
import org.gradlab.nn.data.transforms.Normalize;
import org.gradlab.nn.data.transforms.RandomAffine;
import org.gradlab.nn.data.transforms.RandomErasing;
import org.gradlab.nn.data.transforms.RandomHorizontalFlip;
import org.gradlab.nn.data.transforms.RandomRotation;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** n random images h×w×c with label i % 7, drawn from a fixed seed. */
    static ArrayDataset dataset(int n, int h, int w, int c) {
        Generator g = new Generator(1234);
        byte[] data = new byte[n * h * w * c];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) g.nextInt(256);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 7;
        }
        return new ArrayDataset(data, labels, h, w, c);
    }

    static DataLoader.Builder augmented(Dataset ds, int workers) {
        return DataLoader.builder(ds).batchSize(8).shuffle(true).seed(99).workers(workers)
                .transform(Compose.of(new RandomHorizontalFlip(0.5), new RandomRotation(15),
                        new RandomAffine(5, 0.1, 0.1, 0.9, 1.1), new ColorJitter(0.2, 0.2, 0.2, 0.05)))
                .tensorTransforms(normalizeFor(ds), new RandomErasing());
    }

    static Normalize normalizeFor(Dataset ds) {
        return ds.get(0).image().channels() == 3 ? new Normalize(Normalize.IMAGENET_MEAN, Normalize.IMAGENET_STD)
                : new Normalize(new double[] {0.5}, new double[] {0.25});
    }

    record Snap(float[] images, int[] labels, float[] labelsF) {
    }

    static List<Snap> collect(Iterable<Batch> it) {
        List<Snap> out = new ArrayList<>();
        for (Batch b : it) {
            try (b) {
                out.add(new Snap(b.images().toFloatArray(), b.labels().clone(), b.labelsTensor().toFloatArray()));
            }
        }
        return out;
    }

    static void assertSame(List<Snap> a, List<Snap> b, String what) {
        assertEquals(a.size(), b.size(), what + ": batch count");
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).labels(), b.get(i).labels(), what + ": labels of batch " + i);
            assertArrayEquals(a.get(i).images(), b.get(i).images(), 0f, what + ": images of batch " + i);
        }
    }

    @Test
    void sameSeedSameBatchesAndAugmentationsForAnyWorkerCount() {
        ArrayDataset ds = dataset(37, 12, 10, 3);
        List<List<Snap>> runs = new ArrayList<>();
        for (int workers : new int[] {0, 1, 3}) {
            try (DataLoader dl = augmented(ds, workers).build()) {
                List<Snap> e0 = collect(dl.epoch(0));
                List<Snap> e1 = collect(dl.epoch(1));
                List<Snap> all = new ArrayList<>(e0);
                all.addAll(e1);
                runs.add(all);
            }
        }
        assertSame(runs.get(0), runs.get(1), "0 vs 1 workers");
        assertSame(runs.get(0), runs.get(2), "0 vs 3 workers");
        // the augmentation really did something: the image differs from plain normalised ToTensor
        try (DataLoader plain = DataLoader.builder(ds).batchSize(8).shuffle(true).seed(99).workers(0).build()) {
            List<Snap> p = collect(plain.epoch(0));
            assertArrayEquals(runs.get(0).get(0).labels(), p.get(0).labels(), "same order with or without transforms");
            assertFalse(Arrays.equals(runs.get(0).get(0).images(), p.get(0).images()));
        }
    }

    /**
     * Without workers a batch's samples are built on the CPU kernels' threads: 1, 2 and 3 of them,
     * with a batch of 8 split as finely as they allow, give the batches of a worker-built loader.
     */
    @Test
    void batchesBuiltOnTheKernelThreadsAreTheWorkersBatches() {
        ArrayDataset ds = dataset(37, 12, 10, 3);
        List<Snap> byWorker;
        try (DataLoader dl = augmented(ds, 2).build()) {
            byWorker = collect(dl.epoch(1));
        }
        int saved = org.gradlab.engine.backend.cpu.Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3}) {
                org.gradlab.engine.backend.cpu.Parallel.setThreads(threads);
                try (DataLoader dl = augmented(ds, 0).build()) {
                    assertSame(byWorker, collect(dl.epoch(1)), threads + " kernel threads vs a worker");
                }
            }
        } finally {
            org.gradlab.engine.backend.cpu.Parallel.setThreads(saved);
        }
    }

    @Test
    void epochsHaveDifferentOrdersButEachIsAPermutation() {
        ArrayDataset ds = dataset(50, 4, 4, 1);
        try (DataLoader dl = DataLoader.builder(ds).batchSize(50).shuffle(true).seed(5).build()) {
            int[] o0 = dl.order(0), o1 = dl.order(1);
            assertFalse(Arrays.equals(o0, o1), "epoch 0 and 1 must be shuffled differently");
            int[] s = o1.clone();
            Arrays.sort(s);
            for (int i = 0; i < s.length; i++) {
                assertEquals(i, s[i]);
            }
            // successive iterator() calls are successive epochs
            Iterator<Batch> a = dl.iterator();
            Iterator<Batch> b = dl.iterator();
            try (Batch b1 = b.next()) {
                int[] want = new int[50];
                for (int i = 0; i < 50; i++) {
                    want[i] = o1[i] % 7;
                }
                assertArrayEquals(want, b1.labels());
            }
            assertFalse(a.hasNext(), "starting a new epoch cancels the previous one");
        }
        try (DataLoader other = DataLoader.builder(ds).batchSize(50).shuffle(true).seed(6).build()) {
            try (DataLoader dl = DataLoader.builder(ds).batchSize(50).shuffle(true).seed(5).build()) {
                assertFalse(Arrays.equals(dl.order(0), other.order(0)), "different seeds, different orders");
            }
        }
    }

    @Test
    void batchCountsAndDropLast() {
        ArrayDataset ds = dataset(23, 3, 3, 1);
        for (boolean drop : new boolean[] {false, true}) {
            try (DataLoader dl = DataLoader.builder(ds).batchSize(5).dropLast(drop).workers(2).build()) {
                List<Snap> bs = collect(dl.epoch(0));
                assertEquals(drop ? 4 : 5, bs.size());
                assertEquals(drop ? 4 : 5, dl.batchesPerEpoch());
                int total = 0;
                for (Snap s : bs) {
                    total += s.labels().length;
                }
                assertEquals(drop ? 20 : 23, total);
                assertEquals(drop ? 5 : 3, bs.get(bs.size() - 1).labels().length);
                // unshuffled: labels in dataset order, labelsTensor = float copy
                assertArrayEquals(new int[] {0, 1, 2, 3, 4}, bs.get(0).labels());
                assertArrayEquals(new float[] {0, 1, 2, 3, 4}, bs.get(0).labelsF(), 0f);
            }
        }
    }

    @Test
    void shapesForGrayscaleAndRgb() {
        for (int c : new int[] {1, 3}) {
            ArrayDataset ds = dataset(10, 6, 5, c);
            try (DataLoader dl = augmented(ds, 2).build()) {
                Iterator<Batch> it = dl.epoch(0).iterator();
                try (Batch b = it.next()) {
                    assertArrayEquals(new int[] {8, c, 6, 5}, b.images().shape());
                    assertArrayEquals(new int[] {8}, b.labelsTensor().shape());
                    assertEquals(8, b.size());
                }
            }
            // plain ToTensor layout: CHW, /255
            try (DataLoader dl = DataLoader.builder(ds).batchSize(2).workers(0).build();
                 Batch b = dl.epoch(0).iterator().next()) {
                float[] x = b.images().toFloatArray();
                Image im = ds.get(1).image();
                int plane = 30;
                for (int ch = 0; ch < c; ch++) {
                    assertEquals(im.get(4, 3, ch) / 255f, x[c * plane + ch * plane + 4 * 5 + 3], 0f);
                }
            }
        }
    }

    @Test
    void workerExceptionReachesTrainingThreadWithCause() {
        ArrayDataset base = dataset(20, 4, 4, 3);
        Dataset failing = new Dataset() {
            @Override
            public int size() {
                return base.size();
            }

            @Override
            public Sample get(int index) {
                if (index == 13) {
                    throw new IllegalStateException("corrupt record 13");
                }
                return base.get(index);
            }
        };
        for (int workers : new int[] {0, 2}) {
            try (DataLoader dl = DataLoader.builder(failing).batchSize(4).workers(workers).build()) {
                Iterator<Batch> it = dl.epoch(0).iterator();
                for (int i = 0; i < 3; i++) {
                    it.next().close();
                }
                DataLoader.DataLoaderException e = assertThrows(DataLoader.DataLoaderException.class, it::next);
                assertInstanceOf(IllegalStateException.class, e.getCause());
                assertEquals("corrupt record 13", e.getCause().getMessage());
                assertTrue(e.getMessage().contains("batch 3"), e.getMessage());
                assertFalse(it.hasNext(), "the epoch is cancelled after a failure");
            }
        }
    }

    @Test
    void closeStopsWorkersAndReleasesBatches() throws Exception {
        ArrayDataset ds = dataset(64, 8, 8, 3);
        DataLoader dl = augmented(ds, 2).prefetch(3).build();
        Iterator<Batch> it = dl.epoch(0).iterator();
        Batch b = it.next();
        Tensor img = b.images();
        b.close();
        assertThrows(IllegalStateException.class, img::toFloatArray, "closed batch storage is released");
        dl.close();
        assertThrows(IllegalStateException.class, () -> dl.epoch(1).iterator());
        Thread.sleep(50);
        Set<String> names = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                names.add(t.getName());
            }
        }
        assertFalse(names.stream().anyMatch(n -> n.startsWith("gradlab-data-")), "workers still alive: " + names);
    }

    @Test
    void sampleSeedsDependOnSeedEpochAndIndex() {
        long a = DataLoader.sampleSeed(1, 0, 0);
        assertNotEquals(a, DataLoader.sampleSeed(2, 0, 0));
        assertNotEquals(a, DataLoader.sampleSeed(1, 1, 0));
        assertNotEquals(a, DataLoader.sampleSeed(1, 0, 1));
        assertEquals(a, DataLoader.sampleSeed(1, 0, 0));
    }
}
