package org.gradlab.natives.cuda;

/** A CUDA, cuBLAS, cuDNN or NVRTC call failed; the message names the call and the library's error text. */
public class CudaException extends RuntimeException {
    private final int code;

    public CudaException(String message, int code) {
        super(message);
        this.code = code;
    }

    public CudaException(String message) {
        this(message, -1);
    }

    /** The library's numeric status code, or -1 when none applies. */
    public int code() {
        return code;
    }
}
