package org.gradlab.nn.golden;

import java.util.Arrays;
import org.gradlab.engine.io.Npz;

/**
 * A whole-model reference array that a fixture holds either whole or trimmed to its first 256
 * elements plus its L2 norm ({@code scripts/golden/trim.py}, the layout the second golden batch
 * uses for large gradients):
 * <pre>
 *   &lt;group&gt;.grad.&lt;key&gt;        or  &lt;group&gt;.grad_first256.&lt;key&gt;       + &lt;group&gt;.gradnorm.&lt;key&gt;
 *   &lt;group&gt;.after_step.&lt;key&gt;  or  &lt;group&gt;.after_step_first256.&lt;key&gt; + &lt;group&gt;.after_step_norm.&lt;key&gt;
 * </pre>
 * NOTE: a trimmed reference is checked on the leading elements element-wise and on the whole
 * array through its norm, so an error in the tail shows only as far as it moves the norm.
 */
public final class TrimmedReference {
    private TrimmedReference() {
    }

    /** True when {@code group.kind.key} is stored whole. */
    public static boolean whole(Npz z, String group, String kind, String key) {
        return z.has(group + "." + kind + "." + key);
    }

    /** The stored elements: the whole array, else its first 256. */
    public static double[] stored(Npz z, String group, String kind, String key) {
        String full = group + "." + kind + "." + key;
        return z.has(full) ? z.get(full).toDoubles() : z.get(group + "." + kind + "_first256." + key).toDoubles();
    }

    /** The L2 norm of the whole reference array. */
    public static double norm(Npz z, String group, String kind, String key) {
        String full = group + "." + kind + "." + key;
        return z.has(full) ? l2(z.get(full).toDoubles()) : z.get(group + "." + normKind(kind) + "." + key).toDoubles()[0];
    }

    /**
     * Adds the checks of {@code got} against the reference: one element-wise check when it is whole;
     * else the leading elements element-wise and the norm, both with {@code rtol}/{@code atol}.
     */
    public static void check(GoldenReport rep, String name, double[] got, Npz z, String group, String kind, String key,
            double rtol, double atol) {
        if (whole(z, group, kind, key)) {
            rep.add(Check.of(name, got, z.get(group + "." + kind + "." + key).toDoubles(), rtol, atol));
            return;
        }
        double[] first = stored(z, group, kind, key);
        rep.add(Check.of(name + " first " + first.length, Arrays.copyOf(got, Math.min(got.length, first.length)), first,
                rtol, atol));
        rep.add(Check.of(name + " L2 norm", new double[] {l2(got)}, new double[] {norm(z, group, kind, key)}, rtol, atol));
    }

    private static String normKind(String kind) {
        return kind.equals("grad") ? "gradnorm" : kind + "_norm";
    }

    static double l2(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
