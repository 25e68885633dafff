// GradLab engine tensor kernels: the engine's UnaryFn/BinaryFn over strided views (codes match the
// ordinals of org.gradlab.engine.backend.UnaryFn / BinaryFn), strided copy between dtypes, strided
// fill, axpy, scale, per-channel bias add, and first-maximum reductions (max and its gradient).
// Unary functions are evaluated in double and rounded once, as the CPU backend does. 64-bit indexing.

#define GL_MAXD 6
#define GL_RED_THREADS 256

// Layout shared with Java (KernelPlans.stridesStruct): 19 x int64, passed by value.
struct GlStrides6 {
    long long ndim;
    long long shape[GL_MAXD];
    long long sa[GL_MAXD];
    long long sb[GL_MAXD];
};

// Layout shared with Java (KernelPlans.reduceStruct): 27 x int64, passed by value.
struct GlReduce6 {
    long long nout;
    long long out_shape[GL_MAXD];
    long long out_stride[GL_MAXD];
    long long nred;
    long long red_shape[GL_MAXD];
    long long red_stride[GL_MAXD];
    long long red_count;
};

#define GL_GRID_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)

// Offsets of linear index i (row-major over s.shape) through strides sa and sb.
__device__ __forceinline__ void gl_offsets(const GlStrides6& s, long long i, long long& oa, long long& ob) {
    long long rem = i;
    oa = 0;
    ob = 0;
    for (int d = (int)s.ndim - 1; d >= 0; --d) {
        long long c = rem % s.shape[d];
        rem /= s.shape[d];
        oa += c * s.sa[d];
        ob += c * s.sb[d];
    }
}

// UnaryFn: 0 NEG, 1 EXP, 2 LOG, 3 SQRT, 4 ABS, 5 RELU, 6 SIGMOID, 7 TANH, 8 POW (x^p), 9 CLAMP (p, q),
// 10 AFFINE (p*x + q), 11 INSIDE_MASK (p <= x <= q), 12 SIGN
__device__ __forceinline__ double gl_fn_unary(int op, double x, double p, double q) {
    switch (op) {
        case 0:  return -x;
        case 1:  return exp(x);
        case 2:  return log(x);
        case 3:  return sqrt(x);
        case 4:  return fabs(x);
        case 5:  return x > 0.0 ? x : (x != x ? x : 0.0);          // NaN propagates
        case 6:  return x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
        case 7:  return tanh(x);
        case 8:  return pow(x, p);
        case 9:  return x != x ? x : fmin(fmax(x, p), q);
        case 10: return __dadd_rn(__dmul_rn(p, x), q);              // no FMA: as the CPU computes it
        case 11: return (x >= p && x <= q) ? 1.0 : 0.0;
        case 12: return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : x);       // keeps +-0 and NaN (Math.signum)
        default: return x;
    }
}

// BinaryFn: 0 ADD, 1 SUB, 2 MUL, 3 DIV, 4 RELU_BACKWARD (b > 0 ? a : 0), 5 EQ
template <typename T>
__device__ __forceinline__ T gl_fn_binary(int op, T a, T b) {
    switch (op) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        case 3: return a / b;
        case 4: return b > T(0) ? a : T(0);
        case 5: return a == b ? T(1) : T(0);
        default: return a;
    }
}

// out (contiguous over s.shape) = fn(x read through s.sa)
template <typename T>
__device__ __forceinline__ void gl_fn_unary_impl(const T* x, T* out, long long n, int op, double p, double q,
                                                 const GlStrides6& s) {
    GL_GRID_LOOP(i, n) {
        long long ox, unused;
        gl_offsets(s, i, ox, unused);
        out[i] = (T)gl_fn_unary(op, (double)x[ox], p, q);
    }
}

// out (contiguous over s.shape) = a (s.sa) op b (s.sb); stride 0 = broadcast
template <typename T>
__device__ __forceinline__ void gl_fn_binary_impl(const T* a, const T* b, T* out, long long n, int op,
                                                  const GlStrides6& s) {
    GL_GRID_LOOP(i, n) {
        long long oa, ob;
        gl_offsets(s, i, oa, ob);
        out[i] = gl_fn_binary<T>(op, a[oa], b[ob]);
    }
}

// dst (strides s.sb) = (D) src (strides s.sa), over s.shape
template <typename S, typename D>
__device__ __forceinline__ void gl_copy_impl(const S* src, D* dst, long long n, const GlStrides6& s) {
    GL_GRID_LOOP(i, n) {
        long long os, od;
        gl_offsets(s, i, os, od);
        dst[od] = (D)src[os];
    }
}

template <typename T>
__device__ __forceinline__ void gl_fill_impl(T* dst, long long n, double v, const GlStrides6& s) {
    GL_GRID_LOOP(i, n) {
        long long od, unused;
        gl_offsets(s, i, od, unused);
        dst[od] = (T)v;
    }
}

__device__ __forceinline__ float  gl_mul_rn(float a, float b)   { return __fmul_rn(a, b); }
__device__ __forceinline__ double gl_mul_rn(double a, double b) { return __dmul_rn(a, b); }

extern "C" __global__ void fn_unary_f32(const float* x, float* out, long long n, int op, double p, double q, GlStrides6 s) { gl_fn_unary_impl<float>(x, out, n, op, p, q, s); }
extern "C" __global__ void fn_unary_f64(const double* x, double* out, long long n, int op, double p, double q, GlStrides6 s) { gl_fn_unary_impl<double>(x, out, n, op, p, q, s); }
extern "C" __global__ void fn_binary_f32(const float* a, const float* b, float* out, long long n, int op, GlStrides6 s) { gl_fn_binary_impl<float>(a, b, out, n, op, s); }
extern "C" __global__ void fn_binary_f64(const double* a, const double* b, double* out, long long n, int op, GlStrides6 s) { gl_fn_binary_impl<double>(a, b, out, n, op, s); }
extern "C" __global__ void copy_f32_f32(const float* src, float* dst, long long n, GlStrides6 s) { gl_copy_impl<float, float>(src, dst, n, s); }
extern "C" __global__ void copy_f64_f64(const double* src, double* dst, long long n, GlStrides6 s) { gl_copy_impl<double, double>(src, dst, n, s); }
extern "C" __global__ void copy_f32_f64(const float* src, double* dst, long long n, GlStrides6 s) { gl_copy_impl<float, double>(src, dst, n, s); }
extern "C" __global__ void copy_f64_f32(const double* src, float* dst, long long n, GlStrides6 s) { gl_copy_impl<double, float>(src, dst, n, s); }
extern "C" __global__ void fill_f32(float* dst, long long n, double v, GlStrides6 s) { gl_fill_impl<float>(dst, n, v, s); }
extern "C" __global__ void fill_f64(double* dst, long long n, double v, GlStrides6 s) { gl_fill_impl<double>(dst, n, v, s); }

// dst += alpha * src (contiguous); the product is rounded before the add, as on the CPU (no FMA).
template <typename T>
__device__ __forceinline__ void gl_axpy(T* dst, const T* src, long long n, double alpha) {
    const T a = (T)alpha;
    GL_GRID_LOOP(i, n) { dst[i] = dst[i] + gl_mul_rn(a, src[i]); }
}
extern "C" __global__ void axpy_f32(float* dst, const float* src, long long n, double alpha) { gl_axpy<float>(dst, src, n, alpha); }
extern "C" __global__ void axpy_f64(double* dst, const double* src, long long n, double alpha) { gl_axpy<double>(dst, src, n, alpha); }

// dst *= alpha (contiguous), evaluated in double
template <typename T>
__device__ __forceinline__ void gl_scale(T* dst, long long n, double alpha) {
    GL_GRID_LOOP(i, n) { dst[i] = (T)((double)dst[i] * alpha); }
}
extern "C" __global__ void scale_f32(float* dst, long long n, double alpha) { gl_scale<float>(dst, n, alpha); }
extern "C" __global__ void scale_f64(double* dst, long long n, double alpha) { gl_scale<double>(dst, n, alpha); }

// out[(n*C + c)*S + s] += bias[c] over a contiguous (N, C, S) tensor of `total` elements
template <typename T>
__device__ __forceinline__ void gl_channel_bias(T* out, const T* bias, long long total, long long C, long long S) {
    GL_GRID_LOOP(i, total) { out[i] = out[i] + bias[(i / S) % C]; }
}
extern "C" __global__ void channel_bias_f32(float* out, const float* bias, long long total, long long C, long long S) { gl_channel_bias<float>(out, bias, total, C, S); }
extern "C" __global__ void channel_bias_f64(double* out, const double* bias, long long total, long long C, long long S) { gl_channel_bias<double>(out, bias, total, C, S); }

// Whether (bv, bj) beats (av, aj) as "first maximum": NaN is maximal, ties go to the lower index.
__device__ __forceinline__ bool gl_beats(double bv, long long bj, double av, long long aj) {
    bool bn = bv != bv, an = av != av;
    if (an && bn) return bj < aj;
    if (bn) return true;
    if (an) return false;
    if (bv > av) return true;
    return bv == av && bj < aj;
}

// One block (GL_RED_THREADS threads) per output element o of reducing x (plan rx, x's strides).
// j runs over the reduced elements in row-major order; the FIRST maximum j* is found.
// outMax[o] = x[j*] when outMax != 0; gx[j*] = g[o] when gx != 0 (gx is zero-filled by the caller and
// addressed through plan rc = the same reduction over gx's contiguous strides; g is contiguous over o).
template <typename T>
__device__ __forceinline__ void gl_argmax_impl(const T* x, long long nOut, const GlReduce6& rx, const GlReduce6& rc,
                                               T* outMax, const T* g, T* gx) {
    __shared__ double sv[GL_RED_THREADS];
    __shared__ long long sj[GL_RED_THREADS];
    const double ninf = -__longlong_as_double(0x7ff0000000000000LL);
    for (long long o = blockIdx.x; o < nOut; o += gridDim.x) {
        long long rem = o, base = 0, cbase = 0;
        for (int d = (int)rx.nout - 1; d >= 0; --d) {
            long long c = rem % rx.out_shape[d];
            rem /= rx.out_shape[d];
            base += c * rx.out_stride[d];
            cbase += c * rc.out_stride[d];
        }
        double bv = ninf;
        long long bj = 0x7fffffffffffffffLL;
        for (long long j = threadIdx.x; j < rx.red_count; j += blockDim.x) {
            long long rj = j, off = base;
            for (int d = (int)rx.nred - 1; d >= 0; --d) {
                long long c = rj % rx.red_shape[d];
                rj /= rx.red_shape[d];
                off += c * rx.red_stride[d];
            }
            double v = (double)x[off];
            if (gl_beats(v, j, bv, bj)) { bv = v; bj = j; }
        }
        sv[threadIdx.x] = bv;
        sj[threadIdx.x] = bj;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (threadIdx.x < s && gl_beats(sv[threadIdx.x + s], sj[threadIdx.x + s], sv[threadIdx.x], sj[threadIdx.x])) {
                sv[threadIdx.x] = sv[threadIdx.x + s];
                sj[threadIdx.x] = sj[threadIdx.x + s];
            }
            __syncthreads();
        }
        if (threadIdx.x == 0 && rx.red_count > 0) {
            long long j = sj[0], rj = j, off = base, coff = cbase;
            for (int d = (int)rx.nred - 1; d >= 0; --d) {
                long long c = rj % rx.red_shape[d];
                rj /= rx.red_shape[d];
                off += c * rx.red_stride[d];
                coff += c * rc.red_stride[d];
            }
            if (outMax) outMax[o] = x[off];
            if (gx) gx[coff] = g[o];
        }
        __syncthreads();
    }
}
extern "C" __global__ void argmax_f32(const float* x, long long nOut, GlReduce6 rx, GlReduce6 rc, float* outMax, const float* g, float* gx) { gl_argmax_impl<float>(x, nOut, rx, rc, outMax, g, gx); }
extern "C" __global__ void argmax_f64(const double* x, long long nOut, GlReduce6 rx, GlReduce6 rc, double* outMax, const double* g, double* gx) { gl_argmax_impl<double>(x, nOut, rx, rc, outMax, g, gx); }
