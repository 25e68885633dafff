package org.gradlab.nn.layers;

import java.util.ArrayList;
import java.util.List;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/** Applies its children in order; children are named "0", "1", ... as {@code nn.Sequential}. */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends {@code m} under the next index name. */
    public Sequential add(Module m) {
        registerModule(Integer.toString(layers.size()), m);
        layers.add(m);
        return this;
    }

    public Module get(int i) {
        return child(Integer.toString(i));
    }

    /** Replaces layer {@code i} in place (keeps its name and position). */
    public void set(int i, Module m) {
        if (i < 0 || i >= layers.size()) {
            throw new IndexOutOfBoundsException("Sequential has " + layers.size() + " layers, index " + i);
        }
        registerModule(Integer.toString(i), m);
        layers.set(i, m);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = get(i).call(h);
        }
        return h;
    }
}
