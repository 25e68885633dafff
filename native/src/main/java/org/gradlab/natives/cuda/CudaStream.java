package org.gradlab.natives.cuda;

import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;
import org.gradlab.natives.NativeBuffer;

/**
 * One CUDA stream (created non-blocking) with host-device copies and memset queued on it.
 *
 * <p>NOTE: {@link NativeBuffer} memory is pageable, so "async" host-device copies are staged by the
 * driver and may return only after the copy; the {@code Async} methods still order correctly on the
 * stream. The non-{@code Async} variants synchronize the stream before returning, after which the
 * host buffer may be read or reused.
 */
public final class CudaStream implements AutoCloseable {
    private final int device;
    private CUstream_st stream;

    /** Creates a stream on {@code device}. */
    public CudaStream(int device) {
        this.device = device;
        CudaCheck.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        CUstream_st s = new CUstream_st();
        CudaCheck.check(cudart.cudaStreamCreateWithFlags(s, cudart.cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        this.stream = s;
    }

    public int device() {
        return device;
    }

    /** The raw JavaCPP stream handle (for cuBLAS, cuDNN, cuLaunchKernel). */
    public CUstream_st handle() {
        if (stream == null) {
            throw new IllegalStateException("CudaStream was closed");
        }
        return stream;
    }

    /** Queues a copy of {@code bytes} bytes from host {@code src + srcOffset} to device {@code dst}. */
    public void copyHostToDeviceAsync(NativeBuffer src, long srcOffset, long dst, long bytes) {
        checkRange(src, srcOffset, bytes);
        CudaCheck.check(cudart.cudaMemcpyAsync(DevicePointers.of(dst), hostAt(src, srcOffset), bytes,
                cudart.cudaMemcpyHostToDevice, handle()), "cudaMemcpyAsync H2D " + bytes + " B");
    }

    /** Queues a copy of {@code bytes} bytes from device {@code src} to host {@code dst + dstOffset}. */
    public void copyDeviceToHostAsync(long src, NativeBuffer dst, long dstOffset, long bytes) {
        checkRange(dst, dstOffset, bytes);
        CudaCheck.check(cudart.cudaMemcpyAsync(hostAt(dst, dstOffset), DevicePointers.of(src), bytes,
                cudart.cudaMemcpyDeviceToHost, handle()), "cudaMemcpyAsync D2H " + bytes + " B");
    }

    /** Queues a device-to-device copy. */
    public void copyDeviceToDeviceAsync(long src, long dst, long bytes) {
        CudaCheck.check(cudart.cudaMemcpyAsync(DevicePointers.of(dst), DevicePointers.of(src), bytes,
                cudart.cudaMemcpyDeviceToDevice, handle()), "cudaMemcpyAsync D2D " + bytes + " B");
    }

    /** Queues {@code cudaMemsetAsync(dst, value, bytes)} (value is a byte value). */
    public void memsetAsync(long dst, int value, long bytes) {
        CudaCheck.check(cudart.cudaMemsetAsync(DevicePointers.of(dst), value, bytes, handle()), "cudaMemsetAsync " + bytes + " B");
    }

    /** Copies host to device and waits for the stream. */
    public void copyHostToDevice(NativeBuffer src, long srcOffset, long dst, long bytes) {
        copyHostToDeviceAsync(src, srcOffset, dst, bytes);
        synchronize();
    }

    /** Copies device to host and waits for the stream (the host buffer then holds the data). */
    public void copyDeviceToHost(long src, NativeBuffer dst, long dstOffset, long bytes) {
        copyDeviceToHostAsync(src, dst, dstOffset, bytes);
        synchronize();
    }

    /** Waits until all work queued on this stream has finished; reports asynchronous kernel errors. */
    public void synchronize() {
        CudaCheck.check(cudart.cudaStreamSynchronize(handle()), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
        if (stream != null) {
            cudart.cudaStreamSynchronize(stream);
            CudaCheck.check(cudart.cudaStreamDestroy(stream), "cudaStreamDestroy");
            stream = null;
        }
    }

    private static Pointer hostAt(NativeBuffer b, long offset) {
        return DevicePointers.of(b.pointer().address() + offset);
    }

    private static void checkRange(NativeBuffer b, long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset + bytes > b.bytes()) {
            throw new IndexOutOfBoundsException("host range [" + offset + ", " + (offset + bytes) + ") outside buffer of "
                    + b.bytes() + " bytes");
        }
    }
}
