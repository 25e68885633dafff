package org.gradlab.nn.models;

import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.BatchNorm2d;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.ReLU;
import org.gradlab.nn.layers.Sequential;

/**
 * torchvision's ResNet BasicBlock: out = relu(bn2(conv2(relu(bn1(conv1(x))))) + identity),
 * identity = downsample(x) (1x1 conv stride s + BN) when the shape changes, else x.
 * Children (torchvision order): conv1, bn1, relu, conv2, bn2, downsample. NOTE: bn1 is
 * {@link BatchNorm2d#thenRelu} (the first relu inside the batch-norm op, the same bits); relu is
 * the one after the residual add (bn2 is followed by the add, not by ReLU).
 */
public final class BasicBlock extends Module {
    public BasicBlock(int inplanes, int planes, int stride, boolean downsample, Generator gen) {
        registerModule("conv1", new Conv2d(inplanes, planes, 3, stride, 1, 1, false, gen));
        registerModule("bn1", BatchNorm2d.thenRelu(planes));
        registerModule("relu", new ReLU());
        registerModule("conv2", new Conv2d(planes, planes, 3, 1, 1, 1, false, gen));
        registerModule("bn2", new BatchNorm2d(planes));
        if (downsample) {
            registerModule("downsample", new Sequential(new Conv2d(inplanes, planes, 1, stride, 0, 1, false, gen),
                    new BatchNorm2d(planes)));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor out = child("bn1").call(child("conv1").call(x));
        out = child("bn2").call(child("conv2").call(out));
        Module ds = child("downsample");
        Tensor identity = ds == null ? x : ds.call(x);
        return child("relu").call(out.add(identity));
    }
}
