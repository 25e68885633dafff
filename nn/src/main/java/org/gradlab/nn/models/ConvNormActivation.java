package org.gradlab.nn.models;

import org.gradlab.engine.Generator;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.BatchNorm2d;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.Sequential;

/**
 * torchvision {@code Conv2dNormActivation}: Sequential(Conv2d(in, out, k, stride,
 * padding (k-1)/2, groups, bias=False), BatchNorm2d(out)[, activation]); state-dict names
 * {@code 0.weight}, {@code 1.weight}, {@code 1.bias}, {@code 1.running_mean}, ...
 */
final class ConvNormActivation {
    private ConvNormActivation() {
    }

    /** @param activation the third layer, or null for none (an MBConv's projection) */
    static Sequential of(int in, int out, int kernel, int stride, int groups, Module activation, Generator gen) {
        Sequential s = new Sequential(new Conv2d(in, out, kernel, stride, (kernel - 1) / 2, groups, false, gen), new BatchNorm2d(out));
        if (activation != null) {
            s.add(activation);
        }
        return s;
    }
}
