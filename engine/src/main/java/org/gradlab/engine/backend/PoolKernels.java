package org.gradlab.engine.backend;

/** Pool kernels (see the ops that call them for the math). */
public interface PoolKernels {
}
