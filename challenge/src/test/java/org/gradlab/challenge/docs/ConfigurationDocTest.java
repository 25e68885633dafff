package org.gradlab.challenge.docs;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every {@code gradlab.*} system property and every environment variable the main sources read is in docs/configuration.md. */
class ConfigurationDocTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize(); // tests run in the module folder
    private static final Pattern PROPERTY = Pattern.compile("\"(gradlab\\.[A-Za-z0-9.]+)\"");
    private static final Pattern ENV = Pattern.compile("getenv\\(\"([A-Z_]+)\"\\)");

    @Test
    void everyPropertyAndEnvironmentVariableIsDocumented() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/configuration.md"));
        Set<String> read = new TreeSet<>();
        for (String module : new String[] {"native", "engine", "nn", "challenge", "bench"}) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String src = Files.readString(f);
                    for (Pattern p : new Pattern[] {PROPERTY, ENV}) {
                        Matcher m = p.matcher(src);
                        while (m.find()) {
                            read.add(m.group(1));
                        }
                    }
                }
            }
        }
        assertTrue(read.size() >= 15, "found only " + read);
        for (String name : read) {
            assertTrue(doc.contains("`" + name + "`"), name + " is read by the code but not listed in docs/configuration.md");
        }
    }
}
