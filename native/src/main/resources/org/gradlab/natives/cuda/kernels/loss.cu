// GradLab log_softmax over the last dimension (the engine's LogSoftmax op; the cross-entropy and
// NLL losses are in closs.cu). One block of 256 threads per row (grid-stride over rows) and a
// fixed-order tree reduction: deterministic.

#define GL_LS_THREADS 256

__device__ __forceinline__ float  gl_exp(float x)  { return expf(x); }
__device__ __forceinline__ double gl_exp(double x) { return exp(x); }
__device__ __forceinline__ float  gl_log(float x)  { return logf(x); }
__device__ __forceinline__ double gl_log(double x) { return log(x); }

template <typename T> __device__ __forceinline__ T gl_neg_inf();
template <> __device__ __forceinline__ float  gl_neg_inf<float>()  { return __int_as_float(0xff800000); }
template <> __device__ __forceinline__ double gl_neg_inf<double>() { return __longlong_as_double(0xfff0000000000000LL); }

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

extern "C" __global__ void log_softmax_fwd_f32(const float* x, float* y, long long rows, long long cols) { gl_log_softmax_fwd<float>(x, y, rows, cols); }
extern "C" __global__ void log_softmax_fwd_f64(const double* x, double* y, long long rows, long long cols) { gl_log_softmax_fwd<double>(x, y, rows, cols); }
extern "C" __global__ void log_softmax_bwd_f32(const float* gy, const float* y, float* gx, long long rows, long long cols) { gl_log_softmax_bwd<float>(gy, y, gx, rows, cols); }
extern "C" __global__ void log_softmax_bwd_f64(const double* gy, const double* y, double* gx, long long rows, long long cols) { gl_log_softmax_bwd<double>(gy, y, gx, rows, cols); }
