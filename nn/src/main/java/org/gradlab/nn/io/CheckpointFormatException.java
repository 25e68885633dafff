package org.gradlab.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file that is truncated, corrupt or of an unsupported kind; the message names the file. */
public final class CheckpointFormatException extends IOException {
    public CheckpointFormatException(Path file, String what) {
        super(file + ": " + what);
    }

    public CheckpointFormatException(Path file, String what, Throwable cause) {
        super(file + ": " + what + (cause != null && cause.getMessage() != null ? " (" + printable(cause.getMessage()) + ")" : ""), cause);
    }

    /** The cause's message with control/non-ASCII characters replaced and cut to 160 characters. */
    private static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 160 ? t.substring(0, 160) + "..." : t;
    }
}
