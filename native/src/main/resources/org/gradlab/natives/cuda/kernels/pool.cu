// GradLab 2-D pooling over contiguous NCHW planes (planes = N*C), floor mode (PyTorch ceil_mode=False).
// Max pool: padding is never selected; ties go to the FIRST maximum in row-major window order (strict >)
// and a NaN is selected, exactly as the CPU reference (engine/.../backend/cpu/PoolReference.java).
// Backward kernels GATHER (one thread per input element, summing the windows that cover it in
// row-major window order): deterministic, no atomics.
// Values are compared and summed in double.

// Own int min/max: no reliance on overloads that NVRTC (no system headers) might not declare.
__device__ __forceinline__ int gl_imin(int a, int b) { return a < b ? a : b; }
__device__ __forceinline__ int gl_imax(int a, int b) { return a > b ? a : b; }

// Forward: one thread per output (plane, oh, ow). Writes out (if non-null), the flat index h*W+w of the
// selected element into idx (int32, if non-null) and idxD (double, if non-null).
template <typename T>
__device__ __forceinline__ void gl_maxpool_fwd(const T* x, T* out, int* idx, double* idxD, long long planes, int H, int W,
                                               int Ho, int Wo, int kH, int kW, int sH, int sW, int pH, int pW) {
    long long n = planes * Ho * Wo;
    GL_GRID_LOOP(i, n) {
        long long pl = i / ((long long)Ho * Wo);
        int r = (int)(i - pl * Ho * Wo);
        int oh = r / Wo, ow = r - oh * Wo;
        int hs = gl_imax(oh * sH - pH, 0), he = gl_imin(oh * sH - pH + kH, H);
        int ws = gl_imax(ow * sW - pW, 0), we = gl_imin(ow * sW - pW + kW, W);
        const T* xp = x + pl * H * W;
        int best = hs * W + ws;
        double bv = -__longlong_as_double(0x7ff0000000000000LL);
        for (int ih = hs; ih < he; ++ih) {
            for (int iw = ws; iw < we; ++iw) {
                double v = (double)xp[ih * W + iw];
                if (v > bv || v != v) {              // exactly the CPU reference rule (PoolReference): strict >, NaN taken
                    bv = v;
                    best = ih * W + iw;
                }
            }
        }
        if (out) out[i] = xp[best];
        if (idx) idx[i] = best;
        if (idxD) idxD[i] = (double)best;
    }
}

// First window index o (along one axis) whose span [o*s - p, o*s - p + k) covers position h; last is (h+p)/s.
__device__ __forceinline__ int gl_first_window(int h, int k, int s, int p) {
    int num = h + p - k + 1;
    return num <= 0 ? 0 : (num + s - 1) / s;
}

// Backward: gx[plane, h, w] = sum of g[plane, oh, ow] over windows whose selected index is h*W+w.
template <typename T>
__device__ __forceinline__ void gl_maxpool_bwd(const T* g, const int* idx, T* gx, long long planes, int H, int W,
                                               int Ho, int Wo, int kH, int kW, int sH, int sW, int pH, int pW) {
    long long n = planes * H * W;
    GL_GRID_LOOP(i, n) {
        long long pl = i / ((long long)H * W);
        int r = (int)(i - pl * H * W);
        int h = r / W, w = r - h * W;
        int oh0 = gl_first_window(h, kH, sH, pH), oh1 = gl_imin(Ho - 1, (h + pH) / sH);
        int ow0 = gl_first_window(w, kW, sW, pW), ow1 = gl_imin(Wo - 1, (w + pW) / sW);
        const T* gp = g + pl * Ho * Wo;
        const int* ip = idx + pl * Ho * Wo;
        double acc = 0.0;
        for (int oh = oh0; oh <= oh1; ++oh) {
            for (int ow = ow0; ow <= ow1; ++ow) {
                if (ip[oh * Wo + ow] == r) acc += (double)gp[oh * Wo + ow];
            }
        }
        gx[i] = (T)acc;
    }
}

// Window rows [*s0, *s1) of output row o and the divisor contribution (see avg kernels).
struct GlSpan { int s0, e0, s, e; };

__device__ __forceinline__ GlSpan gl_avg_span(int o, int H, int Ho, int k, int s, int p, int adaptive) {
    GlSpan r;
    if (adaptive) {
        r.s = (int)(((long long)o * H) / Ho);
        r.e = (int)((((long long)o + 1) * H + Ho - 1) / Ho);
        r.s0 = r.s;
        r.e0 = r.e;
    } else {
        r.s0 = o * s - p;
        r.e0 = gl_imin(r.s0 + k, H + p);
        r.s = gl_imax(r.s0, 0);
        r.e = gl_imin(r.e0, H);
    }
    return r;
}

// Average pool forward: out = sum(window) / divisor; divisor = clipped padded window (countIncludePad)
// or the number of real elements. Adaptive: bins floor(o*H/Ho) .. ceil((o+1)*H/Ho)-1, divisor = bin size.
template <typename T>
__device__ __forceinline__ void gl_avgpool_fwd(const T* x, T* out, long long planes, int H, int W, int Ho, int Wo, int kH,
                                               int kW, int sH, int sW, int pH, int pW, int incPad, int adaptive) {
    long long n = planes * Ho * Wo;
    GL_GRID_LOOP(i, n) {
        long long pl = i / ((long long)Ho * Wo);
        int r = (int)(i - pl * Ho * Wo);
        int oh = r / Wo, ow = r - oh * Wo;
        GlSpan a = gl_avg_span(oh, H, Ho, kH, sH, pH, adaptive);
        GlSpan b = gl_avg_span(ow, W, Wo, kW, sW, pW, adaptive);
        int div = incPad ? (a.e0 - a.s0) * (b.e0 - b.s0) : (a.e - a.s) * (b.e - b.s);
        const T* xp = x + pl * H * W;
        double s = 0.0;
        for (int ih = a.s; ih < a.e; ++ih)
            for (int iw = b.s; iw < b.e; ++iw) s += (double)xp[ih * W + iw];
        out[i] = (T)(s / div);
    }
}

// Average pool backward (gather): gx[h, w] = sum over windows covering (h, w) of g / divisor.
template <typename T>
__device__ __forceinline__ void gl_avgpool_bwd(const T* g, T* gx, long long planes, int H, int W, int Ho, int Wo, int kH,
                                               int kW, int sH, int sW, int pH, int pW, int incPad, int adaptive) {
    long long n = planes * H * W;
    GL_GRID_LOOP(i, n) {
        long long pl = i / ((long long)H * W);
        int r = (int)(i - pl * H * W);
        int h = r / W, w = r - h * W;
        int oh0, oh1, ow0, ow1;
        if (adaptive) {
            oh0 = gl_imax(0, (int)(((long long)h * Ho) / H) - 1);
            oh1 = gl_imin(Ho - 1, (int)((((long long)h + 1) * Ho + H - 1) / H));
            ow0 = gl_imax(0, (int)(((long long)w * Wo) / W) - 1);
            ow1 = gl_imin(Wo - 1, (int)((((long long)w + 1) * Wo + W - 1) / W));
        } else {
            oh0 = gl_first_window(h, kH, sH, pH);
            oh1 = gl_imin(Ho - 1, (h + pH) / sH);
            ow0 = gl_first_window(w, kW, sW, pW);
            ow1 = gl_imin(Wo - 1, (w + pW) / sW);
        }
        const T* gp = g + pl * Ho * Wo;
        double acc = 0.0;
        for (int oh = oh0; oh <= oh1; ++oh) {
            GlSpan a = gl_avg_span(oh, H, Ho, kH, sH, pH, adaptive);
            if (h < a.s || h >= a.e) continue;
            for (int ow = ow0; ow <= ow1; ++ow) {
                GlSpan b = gl_avg_span(ow, W, Wo, kW, sW, pW, adaptive);
                if (w < b.s || w >= b.e) continue;
                int div = incPad ? (a.e0 - a.s0) * (b.e0 - b.s0) : (a.e - a.s) * (b.e - b.s);
                acc += (double)gp[oh * Wo + ow] / div;
            }
        }
        gx[i] = (T)acc;
    }
}

#define GL_POOL_ARGS long long planes, int H, int W, int Ho, int Wo, int kH, int kW, int sH, int sW, int pH, int pW
#define GL_POOL_PASS planes, H, W, Ho, Wo, kH, kW, sH, sW, pH, pW
extern "C" __global__ void maxpool_fwd_f32(const float* x, float* out, int* idx, double* idxD, GL_POOL_ARGS) { gl_maxpool_fwd<float>(x, out, idx, idxD, GL_POOL_PASS); }
extern "C" __global__ void maxpool_fwd_f64(const double* x, double* out, int* idx, double* idxD, GL_POOL_ARGS) { gl_maxpool_fwd<double>(x, out, idx, idxD, GL_POOL_PASS); }
extern "C" __global__ void maxpool_bwd_f32(const float* g, const int* idx, float* gx, GL_POOL_ARGS) { gl_maxpool_bwd<float>(g, idx, gx, GL_POOL_PASS); }
extern "C" __global__ void maxpool_bwd_f64(const double* g, const int* idx, double* gx, GL_POOL_ARGS) { gl_maxpool_bwd<double>(g, idx, gx, GL_POOL_PASS); }
extern "C" __global__ void avgpool_fwd_f32(const float* x, float* out, GL_POOL_ARGS, int incPad, int adaptive) { gl_avgpool_fwd<float>(x, out, GL_POOL_PASS, incPad, adaptive); }
extern "C" __global__ void avgpool_fwd_f64(const double* x, double* out, GL_POOL_ARGS, int incPad, int adaptive) { gl_avgpool_fwd<double>(x, out, GL_POOL_PASS, incPad, adaptive); }
extern "C" __global__ void avgpool_bwd_f32(const float* g, float* gx, GL_POOL_ARGS, int incPad, int adaptive) { gl_avgpool_bwd<float>(g, gx, GL_POOL_PASS, incPad, adaptive); }
extern "C" __global__ void avgpool_bwd_f64(const double* g, double* gx, GL_POOL_ARGS, int incPad, int adaptive) { gl_avgpool_bwd<double>(g, gx, GL_POOL_PASS, incPad, adaptive); }
