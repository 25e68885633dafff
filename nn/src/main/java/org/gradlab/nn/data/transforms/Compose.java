package org.gradlab.nn.data.transforms;

import java.util.List;
import org.gradlab.engine.Generator;
import org.gradlab.nn.data.Image;

/** Applies image transforms in order, all drawing from the same per-sample generator. */
public final class Compose implements Transform {
    private final List<Transform> steps;

    public Compose(List<Transform> steps) {
        this.steps = List.copyOf(steps);
    }

    public static Compose of(Transform... steps) {
        return new Compose(List.of(steps));
    }

    public List<Transform> steps() {
        return steps;
    }

    @Override
    public Image apply(Image img, Generator rng) {
        Image out = img;
        for (Transform t : steps) {
            out = t.apply(out, rng);
        }
        return out;
    }
}
