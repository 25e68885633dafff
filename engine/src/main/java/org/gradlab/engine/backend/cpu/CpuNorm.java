package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.backend.NormKernels;

/** CPU norm kernels. */
final class CpuNorm implements NormKernels {
}
