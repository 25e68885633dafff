// GradLab fused optimizer steps (PyTorch torch.optim semantics), one thread per element.


// SGD: g += wd*p; if momentum != 0: buf = first ? g : momentum*buf + (1-dampening)*g;
//      g = nesterov ? g + momentum*buf : buf;  p -= lr*g.   (buf may be null when momentum == 0)
template <typename T>
__device__ __forceinline__ void gl_sgd(T* p, const T* grad, T* buf, long long n, double lr, double momentum,
                                       double dampening, double wd, int nesterov, int first) {
    // NOTE: evaluated in double and rounded once per stored value, as the CPU backend (CpuOptim) does.
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        double pv = (double)p[i];
        double g = (double)grad[i] + wd * pv;
        if (buf) {
            double b = first ? g : momentum * (double)buf[i] + (1.0 - dampening) * g;
            buf[i] = (T)b;
            g = nesterov ? g + momentum * b : b;
        }
        p[i] = (T)(pv - lr * g);
    }
}

// Adam / AdamW (decoupled != 0). bc1 = 1 - beta1^step, bc2 = 1 - beta2^step (computed on the host).
//   Adam:  g += wd*p          AdamW: p *= 1 - lr*wd
//   m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g
//   p -= (lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps)
template <typename T>
__device__ __forceinline__ void gl_adam(T* p, const T* grad, T* m, T* v, long long n, double lr, double beta1,
                                        double beta2, double eps, double wd, double bc1, double bc2, int decoupled) {
    // NOTE: evaluated in double and rounded once per stored value, as the CPU backend (CpuOptim) does.
    const double stepSize = lr / bc1;
    const double sqrtBc2 = sqrt(bc2);
    const double decay = decoupled ? 1.0 - lr * wd : 1.0;
    const double l2 = decoupled ? 0.0 : wd;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        double pv = (double)p[i] * decay;
        double g = (double)grad[i] + l2 * pv;
        double mi = beta1 * (double)m[i] + (1.0 - beta1) * g;
        double vi = beta2 * (double)v[i] + (1.0 - beta2) * g * g;
        m[i] = (T)mi;
        v[i] = (T)vi;
        p[i] = (T)(pv - stepSize * mi / (sqrt(vi) / sqrtBc2 + eps));
    }
}

extern "C" __global__ void sgd_f32(float* p, const float* g, float* buf, long long n, double lr, double momentum,
                                   double dampening, double wd, int nesterov, int first) {
    gl_sgd<float>(p, g, buf, n, lr, momentum, dampening, wd, nesterov, first);
}
extern "C" __global__ void sgd_f64(double* p, const double* g, double* buf, long long n, double lr, double momentum,
                                   double dampening, double wd, int nesterov, int first) {
    gl_sgd<double>(p, g, buf, n, lr, momentum, dampening, wd, nesterov, first);
}
extern "C" __global__ void adam_f32(float* p, const float* g, float* m, float* v, long long n, double lr, double beta1,
                                    double beta2, double eps, double wd, double bc1, double bc2, int decoupled) {
    gl_adam<float>(p, g, m, v, n, lr, beta1, beta2, eps, wd, bc1, bc2, decoupled);
}
extern "C" __global__ void adam_f64(double* p, const double* g, double* m, double* v, long long n, double lr, double beta1,
                                    double beta2, double eps, double wd, double bc1, double bc2, int decoupled) {
    gl_adam<double>(p, g, m, v, n, lr, beta1, beta2, eps, wd, bc1, bc2, decoupled);
}
