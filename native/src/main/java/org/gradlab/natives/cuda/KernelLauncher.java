package org.gradlab.natives.cuda;

/**
 * Where kernel launches go: the NVRTC-compiled modules of a context ({@link Kernels}), or in tests a
 * recorder that checks the marshalled arguments against the kernels' C signatures without a GPU.
 * Both methods take ownership of {@code args} (closed after the launch is queued).
 */
public interface KernelLauncher {
    /** Grid-stride launch covering {@code items} elements with 256-thread blocks. */
    void launch(String file, String fn, long items, KernelArgs args);

    /** Launch with exactly {@code grid} blocks of 256 threads. */
    void launchGrid(String file, String fn, int grid, KernelArgs args);
}
