// Put in front of every GradLab kernel file by Kernels.source (NVRTC has no include path of ours).

// Grid-stride loop over i in [0, n).
#define GL_GRID_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)

// Block-wide reduction of v over blockDim.x threads (a power of two) through buf[blockDim.x], in a fixed
// tree order (deterministic): the sum (isMax 0) or the maximum (isMax 1; a NaN wins). Every thread gets
// the result.
template <typename T>
__device__ __forceinline__ T gl_block_reduce(T v, int isMax, T* buf) {
    buf[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            T a = buf[threadIdx.x], b = buf[threadIdx.x + s];
            buf[threadIdx.x] = isMax ? ((a > b || a != a) ? a : b) : a + b;
        }
        __syncthreads();
    }
    T r = buf[0];
    __syncthreads();
    return r;
}
