package org.gradlab.nn.data;

/**
 * Random-access collection of labelled images.
 *
 * <p>NOTE: {@link #get(int)} is called concurrently by {@link DataLoader} worker threads, so
 * implementations must be thread-safe for reads.
 */
public interface Dataset {
    int size();

    Sample get(int index);
}
