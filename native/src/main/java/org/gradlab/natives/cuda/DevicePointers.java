package org.gradlab.natives.cuda;

import org.bytedeco.javacpp.Pointer;

/** Wraps raw device addresses (longs) as JavaCPP pointers for native calls; never dereferenced in Java. */
final class DevicePointers {
    private DevicePointers() {}

    /** A non-owning JavaCPP pointer with the given address (0 gives a null pointer). */
    static Pointer of(long address) {
        return new Address(address);
    }

    private static final class Address extends Pointer {
        Address(long a) {
            super((Pointer) null);
            this.address = a;
        }
    }
}
