package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;

/**
 * An in-place transform of one float CHW sample held in {@code buf[off .. off + c*h*w)} (the
 * slice of a batch buffer that {@link ToTensor} filled). Used after {@link ToTensor}, e.g.
 * {@link Normalize}, {@link RandomErasing}.
 */
@FunctionalInterface
public interface TensorTransform {
    void apply(float[] buf, int off, int c, int h, int w, Generator rng);
}
