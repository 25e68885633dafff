/**
 * The CUDA backend: {@link org.gradlab.engine.backend.cuda.CudaBackend} implements every kernel
 * family of {@link org.gradlab.engine.backend.Backend} for one device, found by
 * {@code Backends.of(Device.cuda(n))} through {@code CudaBackend.create(n)}.
 *
 * <ul>
 *   <li>Memory: {@link org.gradlab.engine.backend.cuda.CudaStorage} = one block of the device's
 *       caching allocator, released by its MemoryScope (or a Cleaner); no cudaMalloc/cudaFree per op.</li>
 *   <li>Ordering: one stream per device; every kernel, copy, cuBLAS and cuDNN call is queued on it,
 *       so a block freed to the cache may be reused at once (stream order protects it).</li>
 *   <li>Copies: host↔device only in upload/download (Tensor.of/to/toFloatArray/item); the one
 *       exception is the loss kernels' 4-byte error flag that reports a bad class index.</li>
 *   <li>Libraries: cuBLAS (matmul/linear, row-major through the column-major swap, strided
 *       batches), cuDNN (convolution forward/backward-data/backward-filter with algorithms found
 *       once per shape; float32 batch norm), our NVRTC kernels for the rest (tensor.cu, pool.cu,
 *       norm.cu, closs.cu, reduce.cu, loss.cu, optim.cu in the native module).</li>
 *   <li>Semantics follow the CPU backend exactly where it defines a rule: first maximum for max
 *       and max pooling, PyTorch's unbiased running variance, label smoothing with class weights,
 *       optimizer math in double. {@code check.BackendParity} compares every op with the CPU.</li>
 * </ul>
 */
package org.gradlab.engine.backend.cuda;
