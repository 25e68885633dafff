package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.backend.PoolKernels;

/** CPU pool kernels. */
final class CpuPool implements PoolKernels {
}
