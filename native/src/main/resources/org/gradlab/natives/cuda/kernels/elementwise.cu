// GradLab element-wise kernels: unary and binary ops with broadcasting via strides, up to 6-D.
// Compiled at run time by NVRTC (no header inclusion: NVRTC has no system headers); checked at build
// time by nvcc. Index arithmetic is 64-bit. The output is contiguous (row-major) over `shape`;
// inputs are read through element strides (0 = broadcast dimension).

#define GL_MAXD 6

// Layout shared with Java (KernelPlans.stridesStruct): 19 x int64, passed by value.
struct GlStrides6 {
    long long ndim;
    long long shape[GL_MAXD];
    long long sa[GL_MAXD];
    long long sb[GL_MAXD];
};

__device__ __forceinline__ float  gl_exp(float x)  { return expf(x); }
__device__ __forceinline__ double gl_exp(double x) { return exp(x); }
__device__ __forceinline__ float  gl_log(float x)  { return logf(x); }
__device__ __forceinline__ double gl_log(double x) { return log(x); }
__device__ __forceinline__ float  gl_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double gl_sqrt(double x){ return sqrt(x); }
__device__ __forceinline__ float  gl_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double gl_tanh(double x){ return tanh(x); }
__device__ __forceinline__ float  gl_abs(float x)  { return fabsf(x); }
__device__ __forceinline__ double gl_abs(double x) { return fabs(x); }
__device__ __forceinline__ float  gl_pow(float x, float y)   { return powf(x, y); }
__device__ __forceinline__ double gl_pow(double x, double y) { return pow(x, y); }
__device__ __forceinline__ float  gl_sin(float x)  { return sinf(x); }
__device__ __forceinline__ double gl_sin(double x) { return sin(x); }
__device__ __forceinline__ float  gl_cos(float x)  { return cosf(x); }
__device__ __forceinline__ double gl_cos(double x) { return cos(x); }
__device__ __forceinline__ float  gl_erf(float x)  { return erff(x); }
__device__ __forceinline__ double gl_erf(double x) { return erf(x); }

// Unary op codes (must match Kernels.UnaryOp ordinals).
// 0 copy, 1 neg, 2 exp, 3 log, 4 sqrt, 5 rsqrt, 6 abs, 7 tanh, 8 sigmoid, 9 relu, 10 square,
// 11 reciprocal, 12 sin, 13 cos, 14 sign, 15 affine (alpha*x+beta), 16 pow_scalar (x^alpha),
// 17 clamp (min alpha, max beta), 18 gelu (erf form)
template <typename T>
__device__ __forceinline__ T gl_unary(int op, T x, T alpha, T beta) {
    switch (op) {
        case 0:  return x;
        case 1:  return -x;
        case 2:  return gl_exp(x);
        case 3:  return gl_log(x);
        case 4:  return gl_sqrt(x);
        case 5:  return T(1) / gl_sqrt(x);
        case 6:  return gl_abs(x);
        case 7:  return gl_tanh(x);
        case 8:  return T(1) / (T(1) + gl_exp(-x));
        case 9:  return x > T(0) ? x : (x != x ? x : T(0));
        case 10: return x * x;
        case 11: return T(1) / x;
        case 12: return gl_sin(x);
        case 13: return gl_cos(x);
        case 14: return x > T(0) ? T(1) : (x < T(0) ? T(-1) : (x != x ? x : T(0)));
        case 15: return alpha * x + beta;
        case 16: return gl_pow(x, alpha);
        case 17: return x < alpha ? alpha : (x > beta ? beta : x);
        case 18: return T(0.5) * x * (T(1) + gl_erf(x * T(0.70710678118654752440)));
        default: return x;
    }
}

// Binary op codes (must match Kernels.BinaryOp ordinals).
// 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 pow, 7 eq, 8 gt, 9 lt, 10 ge, 11 le
template <typename T>
__device__ __forceinline__ T gl_binary(int op, T a, T b) {
    switch (op) {
        case 0:  return a + b;
        case 1:  return a - b;
        case 2:  return a * b;
        case 3:  return a / b;
        case 4:  return (a > b || a != a) ? a : b;   // NaN-propagating like torch.maximum
        case 5:  return (a < b || a != a) ? a : b;
        case 6:  return gl_pow(a, b);
        case 7:  return a == b ? T(1) : T(0);
        case 8:  return a > b ? T(1) : T(0);
        case 9:  return a < b ? T(1) : T(0);
        case 10: return a >= b ? T(1) : T(0);
        case 11: return a <= b ? T(1) : T(0);
        default: return a;
    }
}

template <typename T>
__device__ __forceinline__ void gl_unary_impl(const T* __restrict__ x, T* __restrict__ out, long long n,
                                              int op, double alpha, double beta, const GlStrides6& s) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        long long rem = i, off = 0;
        for (int d = (int)s.ndim - 1; d >= 0; --d) {
            long long c = rem % s.shape[d];
            rem /= s.shape[d];
            off += c * s.sa[d];
        }
        out[i] = gl_unary<T>(op, x[off], (T)alpha, (T)beta);
    }
}

template <typename T>
__device__ __forceinline__ void gl_binary_impl(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out,
                                               long long n, int op, const GlStrides6& s) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        long long rem = i, oa = 0, ob = 0;
        for (int d = (int)s.ndim - 1; d >= 0; --d) {
            long long c = rem % s.shape[d];
            rem /= s.shape[d];
            oa += c * s.sa[d];
            ob += c * s.sb[d];
        }
        out[i] = gl_binary<T>(op, a[oa], b[ob]);
    }
}

extern "C" __global__ void ew_unary_f32(const float* x, float* out, long long n, int op,
                                        double alpha, double beta, GlStrides6 s) {
    gl_unary_impl<float>(x, out, n, op, alpha, beta, s);
}
extern "C" __global__ void ew_unary_f64(const double* x, double* out, long long n, int op,
                                        double alpha, double beta, GlStrides6 s) {
    gl_unary_impl<double>(x, out, n, op, alpha, beta, s);
}
extern "C" __global__ void ew_binary_f32(const float* a, const float* b, float* out, long long n, int op,
                                         GlStrides6 s) {
    gl_binary_impl<float>(a, b, out, n, op, s);
}
extern "C" __global__ void ew_binary_f64(const double* a, const double* b, double* out, long long n, int op,
                                         GlStrides6 s) {
    gl_binary_impl<double>(a, b, out, n, op, s);
}

// ReLU backward: gx = x > 0 ? gy : 0 (contiguous).
template <typename T>
__device__ __forceinline__ void gl_relu_bwd(const T* gy, const T* x, T* gx, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        gx[i] = x[i] > T(0) ? gy[i] : T(0);
    }
}
extern "C" __global__ void relu_backward_f32(const float* gy, const float* x, float* gx, long long n) {
    gl_relu_bwd<float>(gy, x, gx, n);
}
extern "C" __global__ void relu_backward_f64(const double* gy, const double* x, double* gx, long long n) {
    gl_relu_bwd<double>(gy, x, gx, n);
}
