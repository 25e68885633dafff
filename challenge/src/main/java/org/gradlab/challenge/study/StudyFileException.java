package org.gradlab.challenge.study;

/**
 * A study file that cannot be run, in one line: {@code FILE:LINE: key 'KEY': what is wrong; allowed: WHAT}.
 * The command line prints the message and exits with status 2 before any training starts.
 */
public final class StudyFileException extends RuntimeException {
    private final String file;
    private final int line;
    private final String key;

    public StudyFileException(String file, int line, String key, String problem, String allowed) {
        super(file + ":" + line + ": " + (key == null ? "" : "key '" + key + "': ") + problem
                + (allowed == null ? "" : "; allowed: " + allowed));
        this.file = file;
        this.line = line;
        this.key = key;
    }

    /** A problem of one experiment found when checking it against the data: {@code FILE: experiment 'ID': problem}. */
    public StudyFileException(String file, String experimentId, String problem) {
        super(file + ": experiment '" + experimentId + "': " + problem);
        this.file = file;
        this.line = 0;
        this.key = null;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String key() {
        return key;
    }
}
