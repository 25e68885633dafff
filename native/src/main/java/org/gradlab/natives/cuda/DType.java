package org.gradlab.natives.cuda;

/** Element types of GPU kernels and library calls. */
public enum DType {
    FLOAT32(4, "f32"), FLOAT64(8, "f64");

    private final int bytes;
    private final String suffix;

    DType(int bytes, String suffix) {
        this.bytes = bytes;
        this.suffix = suffix;
    }

    public int bytes() {
        return bytes;
    }

    /** Kernel-name suffix ("f32"/"f64"). */
    public String suffix() {
        return suffix;
    }
}
