// GradLab dropout with a counter-based Philox4x32-10 generator (Salmon et al., SC'11).
// Element i uses output word (i % 4) of philox(counter = {i/4 lo, i/4 hi, offset lo, offset hi},
// key = {seed lo, seed hi}); u = word * 2^-32 in [0,1); the element is kept when u >= p.
// Identical to org.gradlab.natives.cuda.Philox on the CPU, so masks are reproducible anywhere.

#define GL_PHILOX_M0 0xD2511F53u
#define GL_PHILOX_M1 0xCD9E8D57u
#define GL_PHILOX_W0 0x9E3779B9u
#define GL_PHILOX_W1 0xBB67AE85u

__host__ __device__ __forceinline__ void gl_philox4x32_10(unsigned int c[4], unsigned int k0, unsigned int k1) {
    for (int round = 0; round < 10; ++round) {
        unsigned long long p0 = (unsigned long long)GL_PHILOX_M0 * c[0];
        unsigned long long p1 = (unsigned long long)GL_PHILOX_M1 * c[2];
        unsigned int hi0 = (unsigned int)(p0 >> 32), lo0 = (unsigned int)p0;
        unsigned int hi1 = (unsigned int)(p1 >> 32), lo1 = (unsigned int)p1;
        unsigned int n0 = hi1 ^ c[1] ^ k0;
        unsigned int n1 = lo1;
        unsigned int n2 = hi0 ^ c[3] ^ k1;
        unsigned int n3 = lo0;
        c[0] = n0; c[1] = n1; c[2] = n2; c[3] = n3;
        k0 += GL_PHILOX_W0;
        k1 += GL_PHILOX_W1;
    }
}

template <typename T>
__device__ __forceinline__ void gl_dropout_fwd(const T* x, T* y, unsigned char* mask, long long n, double p,
                                               unsigned long long seed, unsigned long long offset) {
    const T scale = p >= 1.0 ? T(0) : (T)(1.0 / (1.0 - p));
    long long groups = (n + 3) / 4;
    for (long long g = (long long)blockIdx.x * blockDim.x + threadIdx.x; g < groups;
         g += (long long)gridDim.x * blockDim.x) {
        unsigned int c[4] = {(unsigned int)g, (unsigned int)((unsigned long long)g >> 32),
                             (unsigned int)offset, (unsigned int)(offset >> 32)};
        gl_philox4x32_10(c, (unsigned int)seed, (unsigned int)(seed >> 32));
        for (int j = 0; j < 4; ++j) {
            long long i = g * 4 + j;
            if (i >= n) break;
            double u = (double)c[j] * 2.3283064365386963e-10;   // 2^-32
            unsigned char keep = u >= p ? 1 : 0;
            mask[i] = keep;
            y[i] = keep ? x[i] * scale : T(0);
        }
    }
}

template <typename T>
__device__ __forceinline__ void gl_dropout_bwd(const T* gy, const unsigned char* mask, T* gx, long long n, double p) {
    const T scale = p >= 1.0 ? T(0) : (T)(1.0 / (1.0 - p));
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        gx[i] = mask[i] ? gy[i] * scale : T(0);
    }
}

extern "C" __global__ void dropout_fwd_f32(const float* x, float* y, unsigned char* mask, long long n, double p,
                                           unsigned long long seed, unsigned long long offset) {
    gl_dropout_fwd<float>(x, y, mask, n, p, seed, offset);
}
extern "C" __global__ void dropout_fwd_f64(const double* x, double* y, unsigned char* mask, long long n, double p,
                                           unsigned long long seed, unsigned long long offset) {
    gl_dropout_fwd<double>(x, y, mask, n, p, seed, offset);
}
extern "C" __global__ void dropout_bwd_f32(const float* gy, const unsigned char* mask, float* gx, long long n, double p) {
    gl_dropout_bwd<float>(gy, mask, gx, n, p);
}
extern "C" __global__ void dropout_bwd_f64(const double* gy, const unsigned char* mask, double* gx, long long n, double p) {
    gl_dropout_bwd<double>(gy, mask, gx, n, p);
}
