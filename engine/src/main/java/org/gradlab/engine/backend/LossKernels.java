package org.gradlab.engine.backend;

/** Loss kernels (see the ops that call them for the math). */
public interface LossKernels {
}
