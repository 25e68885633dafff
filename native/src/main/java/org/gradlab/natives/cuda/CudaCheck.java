package org.gradlab.natives.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.cuda.global.nvrtc;

/**
 * Status-code checks for every CUDA library GradLab calls. Each throws {@link CudaException}
 * whose message is {@code "<what>: <library> error <code> (<name>): <description>"}.
 *
 * <p>NOTE: each method touches only the library whose code it checks, so calling
 * {@link #check} never loads cuDNN, and so on. Only call them after {@link CudaSupport} said the
 * library is loadable.
 */
public final class CudaCheck {
    private CudaCheck() {}

    /** Formats an error message (pure; used by all checks and testable without a GPU). */
    public static String format(String what, String library, int code, String name, String description) {
        StringBuilder sb = new StringBuilder();
        sb.append(what).append(": ").append(library).append(" error ").append(code);
        if (name != null && !name.isEmpty()) {
            sb.append(" (").append(name).append(')');
        }
        if (description != null && !description.isEmpty()) {
            sb.append(": ").append(description);
        }
        return sb.toString();
    }

    /** Checks a CUDA runtime {@code cudaError_t}; the message uses cudaGetErrorName/cudaGetErrorString. */
    public static void check(int err, String what) {
        if (err != 0) {
            if (err == cudart.cudaErrorMemoryAllocation) {
                cudart.cudaGetLastError(); // clear the sticky-free error so later calls do not see it
            }
            throw new CudaException(format(what, "CUDA", err, str(cudart.cudaGetErrorName(err)),
                    str(cudart.cudaGetErrorString(err))), err);
        }
    }

    /** Checks a CUDA driver API {@code CUresult}; the message uses cuGetErrorName/cuGetErrorString. */
    public static void checkDriver(int res, String what) {
        if (res != 0) {
            PointerPointer<BytePointer> name = new PointerPointer<>(1);
            PointerPointer<BytePointer> desc = new PointerPointer<>(1);
            String n = cudart.cuGetErrorName(res, name) == 0 ? name.getString(0) : null;
            String d = cudart.cuGetErrorString(res, desc) == 0 ? desc.getString(0) : null;
            name.close();
            desc.close();
            throw new CudaException(format(what, "CUDA driver", res, n, d), res);
        }
    }

    /** Checks a {@code cublasStatus_t}. */
    public static void checkCublas(int status, String what) {
        if (status != 0) {
            throw new CudaException(format(what, "cuBLAS", status, str(cublas.cublasGetStatusName(status)),
                    str(cublas.cublasGetStatusString(status))), status);
        }
    }

    /** Checks a {@code cudnnStatus_t}. */
    public static void checkCudnn(int status, String what) {
        if (status != 0) {
            throw new CudaException(format(what, "cuDNN", status, null, str(cudnn.cudnnGetErrorString(status))), status);
        }
    }

    /** Checks an {@code nvrtcResult}. */
    public static void checkNvrtc(int res, String what) {
        if (res != 0) {
            throw new CudaException(format(what, "NVRTC", res, null, str(nvrtc.nvrtcGetErrorString(res))), res);
        }
    }

    private static String str(BytePointer p) {
        return p == null || p.isNull() ? null : p.getString();
    }
}
