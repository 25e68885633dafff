package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.backend.LossKernels;

/** CPU loss kernels. */
final class CpuLoss implements LossKernels {
}
