package org.gradlab.challenge.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradlab.challenge.data.DatasetDownloader;
import org.gradlab.challenge.data.MedMnistCatalog;
import org.gradlab.challenge.report.PublishedResults;
import org.gradlab.challenge.study.Study;

/**
 * Finds the npz a study trains on: {@code --data FILE}, else the study's {@code dataset.file}, else a copy of the
 * MedMNIST file in the shared data folder ({@code ../shared/data/<flag>[_<size>].npz}; DermaMNIST at 28 px also as
 * {@code dermamnist_jpeg.npz}), else the official file downloaded from Zenodo into the cache, md5-checked.
 */
final class StudyDataFiles {
    private StudyDataFiles() {}

    static Path resolve(Study.DatasetRef ref, Path override, Path cacheDir, PrintStream out) throws IOException, InterruptedException {
        if (override != null) {
            if (!Files.isRegularFile(override)) {
                throw new IOException("--data " + override + ": no such file");
            }
            return override;
        }
        if (ref.file() != null) {
            if (!Files.isRegularFile(ref.file())) {
                throw new IOException("dataset.file " + ref.file() + ": no such file");
            }
            return ref.file();
        }
        String stem = MedMnistCatalog.fileStem(ref.name(), ref.size());
        for (Path p : sharedCandidates(stem)) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        MedMnistCatalog.FileEntry f = MedMnistCatalog.file(ref.name(), ref.size());
        out.printf("downloading %s (%d px) from Zenodo into %s%n", ref.name(), ref.size(), cacheDir.resolve("medmnist"));
        try {
            return new DatasetDownloader(cacheDir.resolve("medmnist"), DatasetDownloader.ZENODO_BASE).download(stem, f.md5());
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (offline: pass --data FILE, a MedMNIST npz)", e);
        }
    }

    private static List<Path> sharedCandidates(String stem) {
        List<String> names = new ArrayList<>(List.of(stem + ".npz"));
        if (stem.equals("dermamnist")) {
            names.add("dermamnist_jpeg.npz");
        }
        List<Path> dirs = new ArrayList<>();
        String shared = System.getProperty(PublishedResults.SHARED_PROPERTY);
        if (shared != null) {
            dirs.add(Path.of(shared, "data"));
        }
        String root = System.getProperty("gradlab.root");
        if (root != null) {
            dirs.add(Path.of(root).resolve("../shared/data").normalize());
        }
        dirs.add(Path.of("../shared/data").toAbsolutePath().normalize());
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            for (String n : names) {
                out.add(d.resolve(n));
            }
        }
        return out;
    }
}
