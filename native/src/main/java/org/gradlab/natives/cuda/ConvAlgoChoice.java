package org.gradlab.natives.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.bytedeco.cuda.global.cudnn;

/**
 * The pure-Java half of choosing a cuDNN convolution algorithm for one shape and direction
 * (tested on a CPU host; {@link Cudnn} does the native calls): which of the algorithms cuDNN
 * reported are acceptable, in cuDNN's order (FindEx: fastest first; _v7 heuristics: expected
 * fastest first), and running the first one that actually runs.
 *
 * <p>NOTE: cuDNN's search can report an algorithm as usable that then refuses to run at these
 * shapes (a status returned at launch, e.g. {@code CUDNN_STATUS_NOT_SUPPORTED} or
 * {@code CUDNN_STATUS_EXECUTION_FAILED}), and the workspace it needs may not be allocatable later.
 * PyTorch then tries the next algorithm; {@link #run} does the same and keeps the one that ran for
 * the following calls. A fault inside an already launched kernel surfaces asynchronously at the
 * next synchronisation and cannot be recovered this way.
 *
 * <p>Math: with exact float32 (TF32 not allowed) algorithms that cuDNN reports with a tensor-op
 * math type are refused; with TF32 allowed each algorithm keeps the math type cuDNN's search
 * reported for it, and {@link Cudnn} sets that math type on the descriptor before running it.
 * (The cuDNN constants used here are compile-time constants: reading them loads no native code.)
 */
final class ConvAlgoChoice {
    /** Status an attempt returns when the algorithm's workspace could not be allocated (no cuDNN status has this value). */
    static final int WORKSPACE_NOT_ALLOCATED = -2;

    private final String what;
    private final List<Cudnn.Algo> candidates;
    private final Consumer<String> log;
    private final List<String> failures = new ArrayList<>();
    private int current;

    /**
     * @param what       direction and shape, for messages (e.g. "forward ConvShape[...]")
     * @param candidates acceptable algorithms in the order to try them; at least one
     * @param options    the options they were chosen under (named in the message when there are none)
     * @param log        receives one line each time an algorithm fails to run and the next is taken
     */
    ConvAlgoChoice(String what, List<Cudnn.Algo> candidates, Cudnn.Options options, Consumer<String> log) {
        if (candidates.isEmpty()) {
            throw new CudaException("cuDNN found no usable " + what + " algorithm (deterministic=" + options.deterministic()
                    + ", TF32 " + (options.allowTf32() ? "allowed" : "not allowed") + ", workspace limit "
                    + options.workspaceLimit() + " B)");
        }
        this.what = what;
        this.candidates = List.copyOf(candidates);
        this.log = log;
    }

    /** The algorithms of {@code seen} that may be used under {@code options}, in cuDNN's order. */
    static List<Cudnn.Algo> candidates(List<Cudnn.AlgoTiming> seen, Cudnn.Options options, boolean float32) {
        List<Cudnn.Algo> ok = new ArrayList<>();
        for (Cudnn.AlgoTiming t : seen) {
            if (acceptable(t, options, float32)) {
                ok.add(new Cudnn.Algo(t.algo(), t.workspace(), t.mathType()));
            }
        }
        return ok;
    }

    /** Usable status, workspace within the limit, deterministic when asked, no TF32 for exact float32. */
    static boolean acceptable(Cudnn.AlgoTiming t, Cudnn.Options options, boolean float32) {
        if (t.status() != cudnn.CUDNN_STATUS_SUCCESS || t.workspace() > options.workspaceLimit()) {
            return false;
        }
        if (options.deterministic() && !t.deterministic()) {
            return false;
        }
        boolean tensorOps = t.mathType() == cudnn.CUDNN_TENSOR_OP_MATH || t.mathType() == cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
        return options.allowTf32() || !float32 || !tensorOps;
    }

    /** cuDNN's math type by number, as the reports print it. */
    static String mathName(int mathType) {
        return switch (mathType) {
            case cudnn.CUDNN_DEFAULT_MATH -> "default";
            case cudnn.CUDNN_TENSOR_OP_MATH -> "tensor-op";
            case cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION -> "tensor-op+conversion";
            case cudnn.CUDNN_FMA_MATH -> "fma";
            default -> "math-" + mathType;
        };
    }

    /** The algorithm the next call uses. */
    Cudnn.Algo current() {
        return candidates.get(current);
    }

    /** Every algorithm that failed to run so far, with its status (empty when the first one ran). */
    List<String> failures() {
        return List.copyOf(failures);
    }

    /**
     * Runs {@code attempt} (which returns cuDNN's status) with the current algorithm; on a failure
     * moves on to the next candidate and tries again, keeping the one that ran. Throws a
     * {@link CudaException} naming every algorithm and its status when none runs.
     */
    Cudnn.Algo run(ToIntFunction<Cudnn.Algo> attempt) {
        while (true) {
            Cudnn.Algo a = candidates.get(current);
            int status = attempt.applyAsInt(a);
            if (status == cudnn.CUDNN_STATUS_SUCCESS) {
                return a;
            }
            failures.add("algorithm " + a.algo() + " (" + mathName(a.mathType()) + "): "
                    + (status == WORKSPACE_NOT_ALLOCATED ? a.workspace() + " B workspace not allocatable" : "status " + status));
            if (current + 1 >= candidates.size()) {
                throw new CudaException("cuDNN " + what + ": no acceptable algorithm ran: " + String.join("; ", failures), status);
            }
            current++;
            log.accept("[gradlab] cuDNN " + what + ": " + failures.get(failures.size() - 1) + "; trying algorithm "
                    + candidates.get(current).algo());
        }
    }
}
