package org.gradlab.engine.io;

/**
 * The NumPy dtypes GradLab reads and writes. All multi-byte types are little-endian.
 */
public enum NpyDType {
    F4("<f4", 4), F8("<f8", 8), I8("<i8", 8), I4("<i4", 4), U1("|u1", 1), B1("|b1", 1);

    private final String descr;
    private final int itemSize;

    NpyDType(String descr, int itemSize) {
        this.descr = descr;
        this.itemSize = itemSize;
    }

    /** The canonical NumPy {@code descr} string, e.g. {@code "<f4"}. */
    public String descr() {
        return descr;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /** True for floating-point types. */
    public boolean isFloat() {
        return this == F4 || this == F8;
    }

    /**
     * Parses a NumPy {@code descr}.
     * NOTE: for 1-byte types the byte-order character is irrelevant, so {@code |u1}, {@code <u1},
     * {@code =u1} and {@code u1} are all accepted; multi-byte types must say {@code <} explicitly
     * (native order {@code =} is not assumed to be little-endian).
     *
     * @throws NpyFormatException naming {@code where} for big-endian or unsupported dtypes
     */
    public static NpyDType parse(String descr, String where) {
        String d = descr.trim();
        if (d.length() == 3 && (d.charAt(2) == '1') && "|<=>".indexOf(d.charAt(0)) >= 0) {
            d = d.substring(1);
        }
        switch (d) {
            case "u1": return U1;
            case "b1": return B1;
            case "<f4": return F4;
            case "<f8": return F8;
            case "<i8": return I8;
            case "<i4": return I4;
            default:
                if (d.startsWith(">")) {
                    throw new NpyFormatException(where + ": big-endian dtype '" + descr
                            + "' is not supported; expected little-endian (e.g. '<" + d.substring(1) + "')");
                }
                throw new NpyFormatException(where + ": unsupported dtype '" + descr
                        + "'; expected one of <f4, <f8, <i8, <i4, |u1, |b1");
        }
    }
}
