package org.gradlab.nn.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.junit.jupiter.api.Test;

/** Resize (Pillow bilinear) and Grayscale are bit-exact against transforms_resize.npz. */
class ResizeGrayscaleSuiteTest {
    @Test
    void everyArrayMatchesExactly() throws IOException {
        Reporter r = new Reporter(null);
        try (Npz z = Npz.open(SharedFiles.file("golden/" + ResizeGrayscaleSuite.FILE))) {
            new ResizeGrayscaleSuite().run(z, r);
        }
        assertEquals(14, r.lines().size(), "7 arrays x 2 images");
        assertTrue(r.failures().isEmpty(), () -> r.failures().toString());
    }
}
