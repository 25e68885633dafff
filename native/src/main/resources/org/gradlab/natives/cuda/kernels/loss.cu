// GradLab log_softmax over the last dimension and NLL / cross-entropy loss with class weights,
// ignore_index and label smoothing (PyTorch semantics). Row kernels use one block of 256 threads
// per row (grid-stride over rows) and a fixed-order tree reduction: deterministic.

#define GL_LS_THREADS 256

__device__ __forceinline__ float  gl_exp(float x)  { return expf(x); }
__device__ __forceinline__ double gl_exp(double x) { return exp(x); }
__device__ __forceinline__ float  gl_log(float x)  { return logf(x); }
__device__ __forceinline__ double gl_log(double x) { return log(x); }

template <typename T> __device__ __forceinline__ T gl_neg_inf();
template <> __device__ __forceinline__ float  gl_neg_inf<float>()  { return __int_as_float(0xff800000); }
template <> __device__ __forceinline__ double gl_neg_inf<double>() { return __longlong_as_double(0xfff0000000000000LL); }

// Block-wide reduction of v (op 0 sum, 1 max); every thread gets the result.
template <typename T>
__device__ __forceinline__ T gl_block_reduce(T v, int op, T* buf) {
    buf[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            T a = buf[threadIdx.x], b = buf[threadIdx.x + s];
            buf[threadIdx.x] = op == 0 ? a + b : ((a > b || a != a) ? a : b);
        }
        __syncthreads();
    }
    T r = buf[0];
    __syncthreads();
    return r;
}

// y[r, :] = x[r, :] - max - log(sum(exp(x - max)))
template <typename T>
__device__ __forceinline__ void gl_log_softmax_fwd(const T* x, T* y, long long rows, long long cols) {
    __shared__ T buf[GL_LS_THREADS];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* xr = x + r * cols;
        T* yr = y + r * cols;
        T m = gl_neg_inf<T>();
        for (long long c = threadIdx.x; c < cols; c += blockDim.x) { T v = xr[c]; m = (v > m || v != v) ? v : m; }
        m = gl_block_reduce<T>(m, 1, buf);
        T s = T(0);
        for (long long c = threadIdx.x; c < cols; c += blockDim.x) s += gl_exp(xr[c] - m);
        s = gl_block_reduce<T>(s, 0, buf);
        T lse = m + gl_log(s);
        for (long long c = threadIdx.x; c < cols; c += blockDim.x) yr[c] = xr[c] - lse;
    }
}

// gx = gy - exp(y) * sum(gy)   (y = log_softmax output)
template <typename T>
__device__ __forceinline__ void gl_log_softmax_bwd(const T* gy, const T* y, T* gx, long long rows, long long cols) {
    __shared__ T buf[GL_LS_THREADS];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* gr = gy + r * cols;
        const T* yr = y + r * cols;
        T* xr = gx + r * cols;
        T s = T(0);
        for (long long c = threadIdx.x; c < cols; c += blockDim.x) s += gr[c];
        s = gl_block_reduce<T>(s, 0, buf);
        for (long long c = threadIdx.x; c < cols; c += blockDim.x) xr[c] = gr[c] - gl_exp(yr[c]) * s;
    }
}

// Per-row loss terms: rowLoss[r] = -(1-eps) * w[t] * logp[r,t] - (eps/C) * sum_c w[c] * logp[r,c]
// and rowW[r] = w[t]; both 0 when t == ignore_index. weight == nullptr means all ones.
template <typename T>
__device__ __forceinline__ void gl_nll_rows(const T* logp, const long long* target, const T* weight,
                                            long long rows, long long C, long long ignore_index, double smoothing,
                                            T* rowLoss, T* rowW) {
    __shared__ T buf[GL_LS_THREADS];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long t = target[r];
        if (t == ignore_index) {
            if (threadIdx.x == 0) { rowLoss[r] = T(0); rowW[r] = T(0); }
            continue;   // uniform across the block: no barrier divergence
        }
        const T* lr = logp + r * C;
        T s = T(0);
        if (smoothing != 0.0) {
            for (long long c = threadIdx.x; c < C; c += blockDim.x) s += (weight ? weight[c] : T(1)) * lr[c];
            s = gl_block_reduce<T>(s, 0, buf);
        }
        if (threadIdx.x == 0) {
            T wt = weight ? weight[t] : T(1);
            T eps = (T)smoothing;
            rowLoss[r] = -(T(1) - eps) * wt * lr[t] - (eps / (T)C) * s;
            rowW[r] = wt;
        }
    }
}

// Single block: out[0] = mean ? sum(rowLoss)/sum(rowW) : sum(rowLoss); out[1] = sum(rowW).
template <typename T>
__device__ __forceinline__ void gl_nll_reduce(const T* rowLoss, const T* rowW, long long rows, int mean, T* out) {
    __shared__ T buf[GL_LS_THREADS];
    T l = T(0), w = T(0);
    for (long long r = threadIdx.x; r < rows; r += blockDim.x) { l += rowLoss[r]; w += rowW[r]; }
    l = gl_block_reduce<T>(l, 0, buf);
    w = gl_block_reduce<T>(w, 0, buf);
    if (threadIdx.x == 0) { out[0] = mean ? l / w : l; out[1] = w; }
}

// d loss / d logp; gradOut and lossOut (= [loss, sumW]) are device scalars.
template <typename T>
__device__ __forceinline__ void gl_nll_bwd(const long long* target, const T* weight, long long rows, long long C,
                                           long long ignore_index, double smoothing, int mean,
                                           const T* gradOut, const T* lossOut, T* glogp) {
    T scale = mean ? gradOut[0] / lossOut[1] : gradOut[0];
    T eps = (T)smoothing;
    long long n = rows * C;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        long long r = i / C, c = i - r * C;
        long long t = target[r];
        T g = T(0);
        if (t != ignore_index) {
            T wc = weight ? weight[c] : T(1);
            g = -(eps / (T)C) * wc;
            if (c == t) g -= (T(1) - eps) * wc;
            g *= scale;
        }
        glogp[i] = g;
    }
}

extern "C" __global__ void log_softmax_fwd_f32(const float* x, float* y, long long rows, long long cols) { gl_log_softmax_fwd<float>(x, y, rows, cols); }
extern "C" __global__ void log_softmax_fwd_f64(const double* x, double* y, long long rows, long long cols) { gl_log_softmax_fwd<double>(x, y, rows, cols); }
extern "C" __global__ void log_softmax_bwd_f32(const float* gy, const float* y, float* gx, long long rows, long long cols) { gl_log_softmax_bwd<float>(gy, y, gx, rows, cols); }
extern "C" __global__ void log_softmax_bwd_f64(const double* gy, const double* y, double* gx, long long rows, long long cols) { gl_log_softmax_bwd<double>(gy, y, gx, rows, cols); }
extern "C" __global__ void nll_rows_f32(const float* logp, const long long* target, const float* weight, long long rows, long long C,
                                        long long ignore_index, double smoothing, float* rowLoss, float* rowW) {
    gl_nll_rows<float>(logp, target, weight, rows, C, ignore_index, smoothing, rowLoss, rowW);
}
extern "C" __global__ void nll_rows_f64(const double* logp, const long long* target, const double* weight, long long rows, long long C,
                                        long long ignore_index, double smoothing, double* rowLoss, double* rowW) {
    gl_nll_rows<double>(logp, target, weight, rows, C, ignore_index, smoothing, rowLoss, rowW);
}
extern "C" __global__ void nll_reduce_f32(const float* rowLoss, const float* rowW, long long rows, int mean, float* out) { gl_nll_reduce<float>(rowLoss, rowW, rows, mean, out); }
extern "C" __global__ void nll_reduce_f64(const double* rowLoss, const double* rowW, long long rows, int mean, double* out) { gl_nll_reduce<double>(rowLoss, rowW, rows, mean, out); }
extern "C" __global__ void nll_bwd_f32(const long long* target, const float* weight, long long rows, long long C, long long ignore_index,
                                       double smoothing, int mean, const float* gradOut, const float* lossOut, float* glogp) {
    gl_nll_bwd<float>(target, weight, rows, C, ignore_index, smoothing, mean, gradOut, lossOut, glogp);
}
extern "C" __global__ void nll_bwd_f64(const long long* target, const double* weight, long long rows, long long C, long long ignore_index,
                                       double smoothing, int mean, const double* gradOut, const double* lossOut, double* glogp) {
    gl_nll_bwd<double>(target, weight, rows, C, ignore_index, smoothing, mean, gradOut, lossOut, glogp);
}
