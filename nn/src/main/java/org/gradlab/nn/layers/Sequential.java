package org.gradlab.nn.layers;

import java.util.ArrayList;
import java.util.List;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/**
 * Applies its children in order; children are named "0", "1", ... as {@code nn.Sequential}, or
 * given names ({@link #add(String, Module)}, as {@code nn.Sequential(OrderedDict)}). A child
 * replaced through {@link #registerModule} keeps its place.
 */
public final class Sequential extends Module {
    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends {@code m} under the next index name. */
    public Sequential add(Module m) {
        return add(Integer.toString(size()), m);
    }

    /** Appends {@code m} under {@code name} (torchvision's named Sequentials, e.g. ViT's "encoder_layer_0"). */
    public Sequential add(String name, Module m) {
        if (child(name) != null) {
            throw new IllegalArgumentException("Sequential already has a layer named '" + name + "'");
        }
        registerModule(name, m);
        return this;
    }

    /** The {@code i}-th layer in order. */
    public Module get(int i) {
        return layers().get(i);
    }

    /** Replaces layer {@code i} in place (keeps its name and position). */
    public void set(int i, Module m) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("Sequential has " + size() + " layers, index " + i);
        }
        registerModule(new ArrayList<>(children().keySet()).get(i), m);
    }

    public int size() {
        return children().size();
    }

    private List<Module> layers() {
        return new ArrayList<>(children().values());
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Module layer : children().values()) {
            h = layer.call(h);
        }
        return h;
    }
}
