// GradLab batch norm over a contiguous (N, C, S) tensor, per channel c, the same math as the CPU
// reference (engine/.../backend/cpu/NormReference.java): statistics in double, two-pass variance
// (sum of squared deviations from the mean). Used for float64, for eps below cuDNN's minimum, for
// eval-mode backward, and for the running-statistics update after either path.

#define GL_BN_THREADS 256

// One block per channel: mean = sum/count, var = sum (x-mean)^2 / count (biased),
// saveMean[c] = mean, saveInvstd[c] = 1/sqrt(var + eps), var[c] (double) = var.
template <typename T>
__device__ __forceinline__ void gl_bn_stats(const T* x, long long N, long long C, long long S, double eps, T* saveMean,
                                            T* saveInvstd, double* varOut) {
    __shared__ double buf[GL_BN_THREADS];
    const long long count = N * S;
    for (long long c = blockIdx.x; c < C; c += gridDim.x) {
        double s = 0.0;
        for (long long j = threadIdx.x; j < count; j += blockDim.x) {
            long long n = j / S, k = j - n * S;
            s += (double)x[(n * C + c) * S + k];
        }
        double mean = gl_block_reduce<double>(s, 0, buf) / count;
        double q = 0.0;
        for (long long j = threadIdx.x; j < count; j += blockDim.x) {
            long long n = j / S, k = j - n * S;
            double d = (double)x[(n * C + c) * S + k] - mean;
            q += d * d;
        }
        double var = gl_block_reduce<double>(q, 0, buf) / count;
        if (threadIdx.x == 0) {
            saveMean[c] = (T)mean;
            saveInvstd[c] = (T)(1.0 / sqrt(var + eps));
            if (varOut) varOut[c] = var;
        }
    }
}

// running = (1 - momentum) * running + momentum * batch * factor, factor = count/(count-1) for the
// variance (unbiased, as PyTorch). The biased batch variance is var[c] when given, else recovered
// from the saved inverse std: 1/invstd^2 - eps (the cuDNN path, whose saved outputs are mean/invstd).
template <typename T>
__device__ __forceinline__ void gl_bn_running(T* rm, T* rv, const T* mean, const T* invstd, const double* var, long long C,
                                              double momentum, double eps, double factor) {
    GL_GRID_LOOP(c, C) {
        double is = (double)invstd[c];
        double v = var ? var[c] : 1.0 / (is * is) - eps;
        if (rm) rm[c] = (T)((1.0 - momentum) * (double)rm[c] + momentum * (double)mean[c]);
        if (rv) rv[c] = (T)((1.0 - momentum) * (double)rv[c] + momentum * v * factor);
    }
}

// invstd[c] = 1/sqrt(runningVar[c] + eps) (eval mode)
template <typename T>
__device__ __forceinline__ void gl_bn_invstd(const T* rv, T* invstd, long long C, double eps) {
    GL_GRID_LOOP(c, C) { invstd[c] = (T)(1.0 / sqrt((double)rv[c] + eps)); }
}

// out = x * scale + shift, scale = w*invstd, shift = b - mean*scale (w, b may be null: 1, 0)
template <typename T>
__device__ __forceinline__ void gl_bn_apply(const T* x, T* out, long long total, long long C, long long S, const T* mean,
                                            const T* invstd, const T* w, const T* b) {
    GL_GRID_LOOP(i, total) {
        long long c = (i / S) % C;
        double scale = (w ? (double)w[c] : 1.0) * (double)invstd[c];
        double shift = (b ? (double)b[c] : 0.0) - (double)mean[c] * scale;
        out[i] = (T)((double)x[i] * scale + shift);
    }
}

// One block per channel: sums[2c] = sum g, sums[2c+1] = sum g*(x - mean)
template <typename T>
__device__ __forceinline__ void gl_bn_bwd_reduce(const T* g, const T* x, long long N, long long C, long long S, const T* mean,
                                                 double* sums) {
    __shared__ double buf[GL_BN_THREADS];
    const long long count = N * S;
    for (long long c = blockIdx.x; c < C; c += gridDim.x) {
        double m = (double)mean[c], sg = 0.0, sgx = 0.0;
        for (long long j = threadIdx.x; j < count; j += blockDim.x) {
            long long n = j / S, k = j - n * S;
            long long at = (n * C + c) * S + k;
            double gv = (double)g[at];
            sg += gv;
            sgx += gv * ((double)x[at] - m);
        }
        sg = gl_block_reduce<double>(sg, 0, buf);
        sgx = gl_block_reduce<double>(sgx, 0, buf);
        if (threadIdx.x == 0) { sums[2 * c] = sg; sums[2 * c + 1] = sgx; }
    }
}

// gx = a * (g + sh + xc * (x - mean)), a = w*invstd; training: sh = -sumG/count,
// xc = -invstd * (sumGdev*invstd) / count; eval: sh = xc = 0.
template <typename T>
__device__ __forceinline__ void gl_bn_bwd_dx(const T* g, const T* x, T* gx, long long total, long long C, long long S,
                                             const T* mean, const T* invstd, const T* w, const double* sums, double count,
                                             int training) {
    GL_GRID_LOOP(i, total) {
        long long c = (i / S) % C;
        double is = (double)invstd[c];
        double a = (w ? (double)w[c] : 1.0) * is;
        double sh = training ? -sums[2 * c] / count : 0.0;
        double xc = training ? -is * (sums[2 * c + 1] * is) / count : 0.0;
        gx[i] = (T)(a * ((double)g[i] + sh + xc * ((double)x[i] - (double)mean[c])));
    }
}

// gw[c] = sumGdev * invstd, gb[c] = sumG (either may be null)
template <typename T>
__device__ __forceinline__ void gl_bn_bwd_params(const double* sums, const T* invstd, T* gw, T* gb, long long C) {
    GL_GRID_LOOP(c, C) {
        if (gw) gw[c] = (T)(sums[2 * c + 1] * (double)invstd[c]);
        if (gb) gb[c] = (T)sums[2 * c];
    }
}

extern "C" __global__ void bn_stats_f32(const float* x, long long N, long long C, long long S, double eps, float* m, float* is, double* v) { gl_bn_stats<float>(x, N, C, S, eps, m, is, v); }
extern "C" __global__ void bn_stats_f64(const double* x, long long N, long long C, long long S, double eps, double* m, double* is, double* v) { gl_bn_stats<double>(x, N, C, S, eps, m, is, v); }
extern "C" __global__ void bn_running_f32(float* rm, float* rv, const float* m, const float* is, const double* v, long long C, double mom, double eps, double f) { gl_bn_running<float>(rm, rv, m, is, v, C, mom, eps, f); }
extern "C" __global__ void bn_running_f64(double* rm, double* rv, const double* m, const double* is, const double* v, long long C, double mom, double eps, double f) { gl_bn_running<double>(rm, rv, m, is, v, C, mom, eps, f); }
extern "C" __global__ void bn_invstd_f32(const float* rv, float* is, long long C, double eps) { gl_bn_invstd<float>(rv, is, C, eps); }
extern "C" __global__ void bn_invstd_f64(const double* rv, double* is, long long C, double eps) { gl_bn_invstd<double>(rv, is, C, eps); }
extern "C" __global__ void bn_apply_f32(const float* x, float* out, long long total, long long C, long long S, const float* m, const float* is, const float* w, const float* b) { gl_bn_apply<float>(x, out, total, C, S, m, is, w, b); }
extern "C" __global__ void bn_apply_f64(const double* x, double* out, long long total, long long C, long long S, const double* m, const double* is, const double* w, const double* b) { gl_bn_apply<double>(x, out, total, C, S, m, is, w, b); }
extern "C" __global__ void bn_bwd_reduce_f32(const float* g, const float* x, long long N, long long C, long long S, const float* m, double* sums) { gl_bn_bwd_reduce<float>(g, x, N, C, S, m, sums); }
extern "C" __global__ void bn_bwd_reduce_f64(const double* g, const double* x, long long N, long long C, long long S, const double* m, double* sums) { gl_bn_bwd_reduce<double>(g, x, N, C, S, m, sums); }
extern "C" __global__ void bn_bwd_dx_f32(const float* g, const float* x, float* gx, long long total, long long C, long long S, const float* m, const float* is, const float* w, const double* sums, double count, int training) { gl_bn_bwd_dx<float>(g, x, gx, total, C, S, m, is, w, sums, count, training); }
extern "C" __global__ void bn_bwd_dx_f64(const double* g, const double* x, double* gx, long long total, long long C, long long S, const double* m, const double* is, const double* w, const double* sums, double count, int training) { gl_bn_bwd_dx<double>(g, x, gx, total, C, S, m, is, w, sums, count, training); }
extern "C" __global__ void bn_bwd_params_f32(const double* sums, const float* is, float* gw, float* gb, long long C) { gl_bn_bwd_params<float>(sums, is, gw, gb, C); }
extern "C" __global__ void bn_bwd_params_f64(const double* sums, const double* is, double* gw, double* gb, long long C) { gl_bn_bwd_params<double>(sums, is, gw, gb, C); }
