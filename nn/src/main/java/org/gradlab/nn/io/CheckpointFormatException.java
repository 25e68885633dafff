package org.gradlab.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file that is truncated, corrupt or of an unsupported kind; the message names the file. */
public final class CheckpointFormatException extends IOException {
    public CheckpointFormatException(Path file, String what) {
        super(file + ": " + what);
    }

    public CheckpointFormatException(Path file, String what, Throwable cause) {
        super(file + ": " + what + (cause != null && cause.getMessage() != null ? " (" + cause.getMessage() + ")" : ""), cause);
    }
}
