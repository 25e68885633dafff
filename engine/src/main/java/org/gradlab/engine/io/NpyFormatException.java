package org.gradlab.engine.io;

/** A .npy/.npz file is malformed or does not hold what the caller expected. */
public class NpyFormatException extends RuntimeException {
    public NpyFormatException(String message) {
        super(message);
    }

    public NpyFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
