package org.gradlab.engine.backend;

/** Conv kernels (see the ops that call them for the math). */
public interface ConvKernels {
}
