package org.gradlab.engine.backend;

/** Norm kernels (see the ops that call them for the math). */
public interface NormKernels {
}
