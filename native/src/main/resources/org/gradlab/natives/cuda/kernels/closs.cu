// GradLab classification losses with engine semantics (CpuLoss): targets are FLOAT class indices
// validated on the device (a bad index is reported through an error flag: the smallest bad row, via
// atomicMin; the host raises an exception naming it), optional class weights w, label smoothing eps,
// reduction mean (divide by W = sum_i w[y_i]) / sum / none. All arithmetic in double.
//   a[i,c] = (1-eps) w[y_i] [c = y_i] + (eps/C) w[c],   l_i = sum_c a[i,c] * (-logp[i,c])
//   d l_i / d logp = -a[i,:];   d l_i / d logits = A_i softmax - a[i,:],  A_i = sum_c a[i,c]

#define GL_CE_THREADS 256

// The class index of target value t, or -1 when t is not an exact integer in [0, C).
__device__ __forceinline__ long long gl_ce_class(double t, long long C) {
    return (t >= 0.0 && t < (double)C && t == rint(t)) ? (long long)t : -1;
}

// One block per row r: perSample[r] = l_r, rowW[r] = w[y_r], lse[r] = logsumexp(x[r,:]) (0 for log-prob input).
template <typename T>
__device__ __forceinline__ void gl_ce_rows(const T* x, const T* target, const T* weight, long long N, long long C,
                                           double eps, int fromLogits, double* perSample, double* rowW, double* lse,
                                           int* err) {
    __shared__ double buf[GL_CE_THREADS];
    for (long long r = blockIdx.x; r < N; r += gridDim.x) {
        long long y = gl_ce_class((double)target[r], C);
        if (y < 0) {                                   // uniform over the block: no barrier divergence
            if (threadIdx.x == 0) {
                atomicMin(err, (int)r);
                perSample[r] = 0.0;
                rowW[r] = 0.0;
                lse[r] = 0.0;
            }
            continue;
        }
        const T* xr = x + r * C;
        double L = 0.0;
        if (fromLogits) {
            double m = -__longlong_as_double(0x7ff0000000000000LL);
            for (long long c = threadIdx.x; c < C; c += blockDim.x) { double v = (double)xr[c]; m = (v > m || v != v) ? v : m; }
            m = gl_block_reduce<double>(m, 1, buf);
            double s = 0.0;
            for (long long c = threadIdx.x; c < C; c += blockDim.x) s += exp((double)xr[c] - m);
            L = m + log(gl_block_reduce<double>(s, 0, buf));
        }
        double smooth = 0.0;
        if (eps != 0.0) {
            double s = 0.0;
            for (long long c = threadIdx.x; c < C; c += blockDim.x) s -= (weight ? (double)weight[c] : 1.0) * ((double)xr[c] - L);
            smooth = gl_block_reduce<double>(s, 0, buf);
        }
        if (threadIdx.x == 0) {
            double wy = weight ? (double)weight[y] : 1.0;
            perSample[r] = (1.0 - eps) * wy * -((double)xr[y] - L) + (eps / (double)C) * smooth;
            rowW[r] = wy;
            lse[r] = L;
        }
    }
}

// Single block. mode 0 MEAN, 1 SUM, 2 NONE. out = [total * norm] or per-sample values (N).
// stats[0] = norm (1/W for MEAN, else 1), stats[1] = sum_c w[c].
template <typename T>
__device__ __forceinline__ void gl_ce_reduce_rows(const double* perSample, const double* rowW, const T* weight, long long N,
                                                  long long C, int mode, T* out, double* stats) {
    __shared__ double buf[GL_CE_THREADS];
    double l = 0.0, w = 0.0, wt = 0.0;
    for (long long r = threadIdx.x; r < N; r += blockDim.x) { l += perSample[r]; w += rowW[r]; }
    for (long long c = threadIdx.x; c < C; c += blockDim.x) wt += weight ? (double)weight[c] : 1.0;
    l = gl_block_reduce<double>(l, 0, buf);
    w = gl_block_reduce<double>(w, 0, buf);
    wt = gl_block_reduce<double>(wt, 0, buf);
    double norm = mode == 0 ? 1.0 / w : 1.0;
    if (mode == 2) {
        for (long long r = threadIdx.x; r < N; r += blockDim.x) out[r] = (T)perSample[r];
    } else if (threadIdx.x == 0) {
        out[0] = (T)(l * norm);
    }
    if (threadIdx.x == 0) { stats[0] = norm; stats[1] = wt; }
}

// grad[r,c] for a unit upstream gradient (per sample for NONE): norm * (A_r p[r,c] - a[r,c]) from logits,
// -norm * a[r,c] from log-probabilities. Rows with an invalid target get 0 (the host raises anyway).
template <typename T>
__device__ __forceinline__ void gl_ce_grad(const T* x, const T* target, const T* weight, long long N, long long C, double eps,
                                           int fromLogits, const double* lse, const double* stats, T* grad) {
    const double norm = stats[0], wTotal = stats[1];
    GL_GRID_LOOP(i, N * C) {
        long long r = i / C, k = i - r * C;
        long long y = gl_ce_class((double)target[r], C);
        if (y < 0) { grad[i] = T(0); continue; }
        double wy = weight ? (double)weight[y] : 1.0;
        double wk = weight ? (double)weight[k] : 1.0;
        double a = (eps / (double)C) * wk + (k == y ? (1.0 - eps) * wy : 0.0);
        double g;
        if (fromLogits) {
            double aTotal = (1.0 - eps) * wy + (eps / (double)C) * wTotal;
            g = norm * (aTotal * exp((double)x[i] - lse[r]) - a);
        } else {
            g = -norm * a;
        }
        grad[i] = (T)g;
    }
}

extern "C" __global__ void ce_rows_f32(const float* x, const float* t, const float* w, long long N, long long C, double eps, int fromLogits, double* ps, double* rw, double* lse, int* err) { gl_ce_rows<float>(x, t, w, N, C, eps, fromLogits, ps, rw, lse, err); }
extern "C" __global__ void ce_rows_f64(const double* x, const double* t, const double* w, long long N, long long C, double eps, int fromLogits, double* ps, double* rw, double* lse, int* err) { gl_ce_rows<double>(x, t, w, N, C, eps, fromLogits, ps, rw, lse, err); }
extern "C" __global__ void ce_reduce_f32(const double* ps, const double* rw, const float* w, long long N, long long C, int mode, float* out, double* stats) { gl_ce_reduce_rows<float>(ps, rw, w, N, C, mode, out, stats); }
extern "C" __global__ void ce_reduce_f64(const double* ps, const double* rw, const double* w, long long N, long long C, int mode, double* out, double* stats) { gl_ce_reduce_rows<double>(ps, rw, w, N, C, mode, out, stats); }
extern "C" __global__ void ce_grad_f32(const float* x, const float* t, const float* w, long long N, long long C, double eps, int fromLogits, const double* lse, const double* stats, float* g) { gl_ce_grad<float>(x, t, w, N, C, eps, fromLogits, lse, stats, g); }
extern "C" __global__ void ce_grad_f64(const double* x, const double* t, const double* w, long long N, long long C, double eps, int fromLogits, const double* lse, const double* stats, double* g) { gl_ce_grad<double>(x, t, w, N, C, eps, fromLogits, lse, stats, g); }
