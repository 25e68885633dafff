package org.gradlab.engine.golden;

import java.util.Map;
import org.gradlab.engine.Tensor;

/**
 * reshape.npz: {@code flatten*} = flatten(1); {@code permute*} = permute by {@code meta.perm}
 * or the known table; anything else = reshape to the reference out's shape.
 */
public final class ReshapeSuite extends OpSuite {
    static final Map<String, int[]> PERMUTATIONS = Map.of("permute_nhwc_to_nchw", new int[] {0, 3, 1, 2});

    public ReshapeSuite() {
        super("reshape.npz");
    }

    @Override
    protected void runCase(CaseData d) {
        Tensor x = d.param("x");
        String c = d.caseName();
        Tensor out;
        if (c.startsWith("flatten")) {
            out = x.flatten(1);
        } else if (c.startsWith("permute") || d.hasMeta("perm")) {
            int[] perm = d.hasMeta("perm") ? d.metaInts("perm") : PERMUTATIONS.get(c);
            if (perm == null) {
                throw new IllegalStateException("permute case without meta.perm and not in the table");
            }
            out = x.permute(perm);
        } else {
            out = x.reshape(d.ref("out").shape());
        }
        d.compare("out", out);
        out.backward(d.upstream(out).contiguous());
        d.compare("grad_x", x.grad());
    }
}
