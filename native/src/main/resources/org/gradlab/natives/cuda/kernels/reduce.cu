// GradLab sums over an arbitrary axis set, up to 6-D (max goes through tensor.cu's argmax).
// One block per output element (grid-stride), block-wide tree reduction in shared memory:
// deterministic (fixed order for a given launch configuration). Accumulates in double.

#define GL_MAXD 6
#define GL_RED_THREADS 256

// Layout shared with Java (KernelPlans.reduceStruct): 27 x int64, passed by value.
struct GlReduce6 {
    long long nout;                 // number of kept dimensions
    long long out_shape[GL_MAXD];   // kept dims (output is contiguous over them)
    long long out_stride[GL_MAXD];  // input element stride of each kept dim
    long long nred;                 // number of reduced dimensions
    long long red_shape[GL_MAXD];
    long long red_stride[GL_MAXD];  // input element stride of each reduced dim
    long long red_count;            // product of red_shape
};

template <typename T>
__device__ __forceinline__ void gl_sum_impl(const T* __restrict__ x, T* __restrict__ out, long long nOut,
                                            const GlReduce6& r) {
    __shared__ double sdata[GL_RED_THREADS];
    for (long long o = blockIdx.x; o < nOut; o += gridDim.x) {
        long long rem = o, base = 0;
        for (int d = (int)r.nout - 1; d >= 0; --d) {
            long long c = rem % r.out_shape[d];
            rem /= r.out_shape[d];
            base += c * r.out_stride[d];
        }
        double acc = 0.0;
        for (long long j = threadIdx.x; j < r.red_count; j += blockDim.x) {
            long long rj = j, off = base;
            for (int d = (int)r.nred - 1; d >= 0; --d) {
                long long c = rj % r.red_shape[d];
                rj /= r.red_shape[d];
                off += c * r.red_stride[d];
            }
            acc += (double)x[off];
        }
        double total = gl_block_reduce<double>(acc, 0, sdata);
        if (threadIdx.x == 0) out[o] = (T)total;
    }
}

// Must be launched with exactly GL_RED_THREADS (256) threads per block.
extern "C" __global__ void sum_f32(const float* x, float* out, long long nOut, GlReduce6 r) {
    gl_sum_impl<float>(x, out, nOut, r);
}
extern "C" __global__ void sum_f64(const double* x, double* out, long long nOut, GlReduce6 r) {
    gl_sum_impl<double>(x, out, nOut, r);
}
