package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.backend.ConvKernels;

/** CPU conv kernels. */
final class CpuConv implements ConvKernels {
}
