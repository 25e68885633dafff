package org.gradlab.challenge.docs;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The layering native → engine → nn → challenge: only the engine (and bench) touch native/. */
class LayeringTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize(); // tests run in the module folder

    @Test
    void nnAndChallengeDoNotUseTheNativeModule() throws IOException {
        List<String> breaches = new ArrayList<>();
        for (String module : new String[] {"nn", "challenge"}) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    if (Files.readString(f).contains("org.gradlab.natives")) {
                        breaches.add(ROOT.relativize(f).toString());
                    }
                }
            }
        }
        assertEquals(List.of(), breaches, "these use native/ directly; go through the engine");
    }
}
