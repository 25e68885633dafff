package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.Image;

/**
 * An image-to-image transform (uint8 HWC). Random transforms draw every parameter from
 * {@code rng}, so the same generator state gives the same output.
 */
@FunctionalInterface
public interface Transform {
    Image apply(Image img, Generator rng);
}
