package org.gradlab.nn.models;

import org.gradlab.engine.Generator;
import org.gradlab.nn.layers.BatchNorm2d;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.Sequential;

/**
 * torchvision {@code Conv2dNormActivation}: Sequential(Conv2d(in, out, k, stride,
 * padding (k-1)/2, groups, bias=False), BatchNorm2d(out)[, activation]); state-dict names
 * {@code 0.weight}, {@code 1.weight}, {@code 1.bias}, {@code 1.running_mean}, ...
 *
 * <p>NOTE: with SiLU the norm and the activation are one layer, {@link BatchNorm2d#thenSilu}
 * (one op, only the norm's input kept for the backward), where torchvision has a third child
 * {@code 2} = SiLU; SiLU has no state, so the state-dict names are torchvision's all the same.
 */
final class ConvNormActivation {
    private ConvNormActivation() {
    }

    /** @param silu whether SiLU follows the norm (false: none, an MBConv's projection) */
    static Sequential of(int in, int out, int kernel, int stride, int groups, boolean silu, Generator gen) {
        return new Sequential(new Conv2d(in, out, kernel, stride, (kernel - 1) / 2, groups, false, gen),
                silu ? BatchNorm2d.thenSilu(out) : new BatchNorm2d(out));
    }
}
