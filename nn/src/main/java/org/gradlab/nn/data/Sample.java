package org.gradlab.nn.data;

/** One dataset item: an image and its integer class label. */
public record Sample(Image image, int label) {
}
