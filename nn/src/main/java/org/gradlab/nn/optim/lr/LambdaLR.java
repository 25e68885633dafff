package org.gradlab.nn.optim.lr;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntToDoubleFunction;
import org.gradlab.nn.optim.Optimizer;

/** {@code lr(e) = base * lambda(e)}, one lambda for all groups or one per group. */
public final class LambdaLR extends LRScheduler {
    private final List<IntToDoubleFunction> lambdas;

    public LambdaLR(Optimizer optimizer, IntToDoubleFunction lambda) {
        this(optimizer, java.util.Collections.nCopies(optimizer.paramGroups().size(), lambda));
    }

    public LambdaLR(Optimizer optimizer, List<IntToDoubleFunction> perGroup) {
        super(optimizer);
        if (perGroup.size() != optimizer.paramGroups().size()) {
            throw new IllegalArgumentException("LambdaLR: expected " + optimizer.paramGroups().size() + " lambdas (one per group), got "
                    + perGroup.size());
        }
        this.lambdas = List.copyOf(perGroup);
        initialStep();
    }

    /** A lambda over the epoch as a double. */
    public static LambdaLR ofDouble(Optimizer optimizer, DoubleUnaryOperator lambda) {
        return new LambdaLR(optimizer, (IntToDoubleFunction) e -> lambda.applyAsDouble(e));
    }

    @Override
    protected double lrAt(int e, int group, double base) {
        return base * lambdas.get(group).applyAsDouble(e);
    }
}
