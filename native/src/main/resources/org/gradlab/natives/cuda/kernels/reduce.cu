// GradLab reductions (sum / max / min, mean via scale) over an arbitrary axis set, up to 6-D.
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

__device__ __forceinline__ double gl_red_combine(int op, double a, double b) {
    if (op == 0) return a + b;
    if (op == 1) return (a > b || a != a) ? a : b;
    return (a < b || a != a) ? a : b;
}

template <typename T>
__device__ __forceinline__ void gl_reduce_impl(const T* __restrict__ x, T* __restrict__ out, long long nOut,
                                               int op, double scale, const GlReduce6& r) {
    __shared__ double sdata[GL_RED_THREADS];
    const double init = op == 0 ? 0.0 : (op == 1 ? -__longlong_as_double(0x7ff0000000000000LL)
                                                   : __longlong_as_double(0x7ff0000000000000LL));
    for (long long o = blockIdx.x; o < nOut; o += gridDim.x) {
        long long rem = o, base = 0;
        for (int d = (int)r.nout - 1; d >= 0; --d) {
            long long c = rem % r.out_shape[d];
            rem /= r.out_shape[d];
            base += c * r.out_stride[d];
        }
        double acc = init;
        for (long long j = threadIdx.x; j < r.red_count; j += blockDim.x) {
            long long rj = j, off = base;
            for (int d = (int)r.nred - 1; d >= 0; --d) {
                long long c = rj % r.red_shape[d];
                rj /= r.red_shape[d];
                off += c * r.red_stride[d];
            }
            acc = gl_red_combine(op, acc, (double)x[off]);
        }
        sdata[threadIdx.x] = acc;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (threadIdx.x < s) sdata[threadIdx.x] = gl_red_combine(op, sdata[threadIdx.x], sdata[threadIdx.x + s]);
            __syncthreads();
        }
        if (threadIdx.x == 0) out[o] = (T)(op == 0 ? sdata[0] * scale : sdata[0]);
        __syncthreads();
    }
}

// op: 0 sum (result multiplied by scale: 1 for sum, 1/count for mean), 1 max, 2 min.
// Must be launched with exactly GL_RED_THREADS (256) threads per block.
extern "C" __global__ void reduce_f32(const float* x, float* out, long long nOut, int op, double scale, GlReduce6 r) {
    gl_reduce_impl<float>(x, out, nOut, op, scale, r);
}
extern "C" __global__ void reduce_f64(const double* x, double* out, long long nOut, int op, double scale, GlReduce6 r) {
    gl_reduce_impl<double>(x, out, nOut, op, scale, r);
}
