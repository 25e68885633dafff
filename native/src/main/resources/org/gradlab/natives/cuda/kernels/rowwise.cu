// GradLab layer norm and softmax, the CPU backend's math (CpuRows): statistics and sums in double.
// Layer norm reads x as R rows of D contiguous elements. Softmax works on "lines": a contiguous
// (outer, n, inner) tensor has outer*inner lines of n elements, element k of line (o, j) at
// o*n*inner + j + k*inner (inner = 1: the last axis). One block per row or line (block-stride
// loops over its elements, a shared-memory tree reduction); the weight/bias gradients sum over rows
// with one thread per column, in a fixed order (deterministic).

#define GL_RW_THREADS 256

// out = (x - mean) * invstd * w + b per row; mean[r], invstd[r] = 1/sqrt(biased var + eps) saved.
template <typename T>
__device__ __forceinline__ void gl_ln_fwd(const T* x, T* out, long long R, long long D, double eps, const T* w, const T* b,
                                          T* mean, T* invstd) {
    __shared__ double buf[GL_RW_THREADS];
    for (long long r = blockIdx.x; r < R; r += gridDim.x) {
        const T* xr = x + r * D;
        double s = 0.0;
        for (long long k = threadIdx.x; k < D; k += blockDim.x) s += (double)xr[k];
        double m = gl_block_reduce<double>(s, 0, buf) / (double)D;
        double q = 0.0;
        for (long long k = threadIdx.x; k < D; k += blockDim.x) { double d = (double)xr[k] - m; q += d * d; }
        double is = 1.0 / sqrt(gl_block_reduce<double>(q, 0, buf) / (double)D + eps);
        for (long long k = threadIdx.x; k < D; k += blockDim.x) {
            out[r * D + k] = (T)(((double)xr[k] - m) * is * (w ? (double)w[k] : 1.0) + (b ? (double)b[k] : 0.0));
        }
        if (threadIdx.x == 0) { mean[r] = (T)m; invstd[r] = (T)is; }
    }
}

// gx = invstd * (gh - mean_k(gh) - xhat * mean_k(gh * xhat)), gh = g * w, xhat = (x - mean) * invstd
template <typename T>
__device__ __forceinline__ void gl_ln_bwd_dx(const T* g, const T* x, T* gx, long long R, long long D, const T* w,
                                             const T* mean, const T* invstd) {
    __shared__ double buf[GL_RW_THREADS];
    for (long long r = blockIdx.x; r < R; r += gridDim.x) {
        double m = (double)mean[r], is = (double)invstd[r];
        double sg = 0.0, sgx = 0.0;
        for (long long k = threadIdx.x; k < D; k += blockDim.x) {
            double gh = (double)g[r * D + k] * (w ? (double)w[k] : 1.0);
            sg += gh;
            sgx += gh * ((double)x[r * D + k] - m) * is;
        }
        double mg = gl_block_reduce<double>(sg, 0, buf) / (double)D;
        double mgx = gl_block_reduce<double>(sgx, 0, buf) / (double)D;
        for (long long k = threadIdx.x; k < D; k += blockDim.x) {
            double gh = (double)g[r * D + k] * (w ? (double)w[k] : 1.0);
            double xh = ((double)x[r * D + k] - m) * is;
            gx[r * D + k] = (T)(is * (gh - mg - xh * mgx));
        }
    }
}

// gw[k] = sum_r g[r,k] * xhat[r,k], gb[k] = sum_r g[r,k] (either may be null: skipped)
template <typename T>
__device__ __forceinline__ void gl_ln_bwd_params(const T* g, const T* x, long long R, long long D, const T* mean,
                                                 const T* invstd, T* gw, T* gb) {
    GL_GRID_LOOP(k, D) {
        double sw = 0.0, sb = 0.0;
        for (long long r = 0; r < R; r++) {
            double gv = (double)g[r * D + k];
            sw += gv * ((double)x[r * D + k] - (double)mean[r]) * (double)invstd[r];
            sb += gv;
        }
        if (gw) gw[k] = (T)sw;
        if (gb) gb[k] = (T)sb;
    }
}

// y = exp(x - max) / sum exp(x - max) along each line
template <typename T>
__device__ __forceinline__ void gl_softmax_fwd(const T* x, T* y, long long outer, long long n, long long inner) {
    __shared__ double buf[GL_RW_THREADS];
    for (long long line = blockIdx.x; line < outer * inner; line += gridDim.x) {
        long long o = line / inner, j = line - o * inner;
        long long base = o * n * inner + j;
        double m = -__longlong_as_double(0x7ff0000000000000LL);
        for (long long k = threadIdx.x; k < n; k += blockDim.x) { double v = (double)x[base + k * inner]; m = (v > m || v != v) ? v : m; }
        m = gl_block_reduce<double>(m, 1, buf);
        double s = 0.0;
        for (long long k = threadIdx.x; k < n; k += blockDim.x) s += exp((double)x[base + k * inner] - m);
        double inv = 1.0 / gl_block_reduce<double>(s, 0, buf);
        for (long long k = threadIdx.x; k < n; k += blockDim.x) y[base + k * inner] = (T)(exp((double)x[base + k * inner] - m) * inv);
    }
}

// gx = y * (g - sum(g * y)) along each line
template <typename T>
__device__ __forceinline__ void gl_softmax_bwd(const T* g, const T* y, T* gx, long long outer, long long n, long long inner) {
    __shared__ double buf[GL_RW_THREADS];
    for (long long line = blockIdx.x; line < outer * inner; line += gridDim.x) {
        long long o = line / inner, j = line - o * inner;
        long long base = o * n * inner + j;
        double s = 0.0;
        for (long long k = threadIdx.x; k < n; k += blockDim.x) s += (double)g[base + k * inner] * (double)y[base + k * inner];
        double dot = gl_block_reduce<double>(s, 0, buf);
        for (long long k = threadIdx.x; k < n; k += blockDim.x) {
            long long i = base + k * inner;
            gx[i] = (T)((double)y[i] * ((double)g[i] - dot));
        }
    }
}

extern "C" __global__ void ln_fwd_f32(const float* x, float* out, long long R, long long D, double eps, const float* w, const float* b, float* mean, float* invstd) { gl_ln_fwd<float>(x, out, R, D, eps, w, b, mean, invstd); }
extern "C" __global__ void ln_fwd_f64(const double* x, double* out, long long R, long long D, double eps, const double* w, const double* b, double* mean, double* invstd) { gl_ln_fwd<double>(x, out, R, D, eps, w, b, mean, invstd); }
extern "C" __global__ void ln_bwd_dx_f32(const float* g, const float* x, float* gx, long long R, long long D, const float* w, const float* mean, const float* invstd) { gl_ln_bwd_dx<float>(g, x, gx, R, D, w, mean, invstd); }
extern "C" __global__ void ln_bwd_dx_f64(const double* g, const double* x, double* gx, long long R, long long D, const double* w, const double* mean, const double* invstd) { gl_ln_bwd_dx<double>(g, x, gx, R, D, w, mean, invstd); }
extern "C" __global__ void ln_bwd_params_f32(const float* g, const float* x, long long R, long long D, const float* mean, const float* invstd, float* gw, float* gb) { gl_ln_bwd_params<float>(g, x, R, D, mean, invstd, gw, gb); }
extern "C" __global__ void ln_bwd_params_f64(const double* g, const double* x, long long R, long long D, const double* mean, const double* invstd, double* gw, double* gb) { gl_ln_bwd_params<double>(g, x, R, D, mean, invstd, gw, gb); }
extern "C" __global__ void softmax_fwd_f32(const float* x, float* y, long long outer, long long n, long long inner) { gl_softmax_fwd<float>(x, y, outer, n, inner); }
extern "C" __global__ void softmax_fwd_f64(const double* x, double* y, long long outer, long long n, long long inner) { gl_softmax_fwd<double>(x, y, outer, n, inner); }
extern "C" __global__ void softmax_bwd_f32(const float* g, const float* y, float* gx, long long outer, long long n, long long inner) { gl_softmax_bwd<float>(g, y, gx, outer, n, inner); }
extern "C" __global__ void softmax_bwd_f64(const double* g, const double* y, double* gx, long long outer, long long n, long long inner) { gl_softmax_bwd<double>(g, y, gx, outer, n, inner); }
