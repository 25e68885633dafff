package org.gradlab.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link ConvBench} with Winograd turned off ({@code -Dgradlab.conv32.winograd=false}): every
 * conv on im2col + GEMM, for the old path and the new one side by side in the same JMH run
 * ({@code ./gradlab bench kernels 'Conv(Im2col)?Bench' -- -p shape=... -p batch=32}).
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dgradlab.conv32.winograd=false"})
public class ConvIm2colBench extends ConvBench {}
