package org.gradlab.natives.cuda;

import java.util.ArrayList;
import java.util.List;

/** Expands kernel base names to the {@code _f32}/{@code _f64} names the classes launch (pure Java). */
final class KernelNames {
    private KernelNames() {}

    static List<String> bothTypes(List<String> bases) {
        List<String> all = new ArrayList<>();
        for (String b : bases) {
            for (DType t : DType.values()) {
                all.add(b + "_" + t.suffix());
            }
        }
        return List.copyOf(all);
    }

    static List<String> withCopies(List<String> bases, List<String> exact) {
        List<String> all = new ArrayList<>(bothTypes(bases));
        all.addAll(exact);
        return List.copyOf(all);
    }
}
