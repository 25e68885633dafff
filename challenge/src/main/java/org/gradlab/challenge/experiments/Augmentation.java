package org.gradlab.challenge.experiments;

/**
 * The training-time augmentation of an experiment, in torchvision terms. Validation and test
 * always use ToTensor alone (the study's "locked" evaluation transform).
 *
 * @param rotationDegrees RandomRotation(±degrees), 0 = none
 * @param affine RandomAffine(degrees 0, translate (0.1, 0.1), scale (0.9, 1.1))
 * @param colorJitter ColorJitter(0.2, 0.2, 0.2, 0.05)
 * @param normalizeTrainOnly Normalize(ImageNet mean/std) on the TRAINING transform only (exp 14's trap)
 */
public record Augmentation(boolean hflip, boolean vflip, double rotationDegrees, boolean affine, boolean colorJitter,
                           boolean normalizeTrainOnly) {
    public static final Augmentation NONE = new Augmentation(false, false, 0, false, false, false);

    public Augmentation withHflip() {
        return new Augmentation(true, vflip, rotationDegrees, affine, colorJitter, normalizeTrainOnly);
    }

    public Augmentation withVflip() {
        return new Augmentation(hflip, true, rotationDegrees, affine, colorJitter, normalizeTrainOnly);
    }

    public Augmentation withRotation(double degrees) {
        return new Augmentation(hflip, vflip, degrees, affine, colorJitter, normalizeTrainOnly);
    }

    public Augmentation withAffine() {
        return new Augmentation(hflip, vflip, rotationDegrees, true, colorJitter, normalizeTrainOnly);
    }

    public Augmentation withColorJitter() {
        return new Augmentation(hflip, vflip, rotationDegrees, affine, true, normalizeTrainOnly);
    }

    public Augmentation withNormalizeTrainOnly() {
        return new Augmentation(hflip, vflip, rotationDegrees, affine, colorJitter, true);
    }

    /** torchvision-style text, e.g. "RandomHorizontalFlip + RandomRotation(15) + ToTensor". */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (hflip) {
            sb.append("RandomHorizontalFlip + ");
        }
        if (vflip) {
            sb.append("RandomVerticalFlip + ");
        }
        if (rotationDegrees > 0) {
            sb.append("RandomRotation(").append(fmt(rotationDegrees)).append(") + ");
        }
        if (affine) {
            sb.append("RandomAffine(0, translate=(0.1,0.1), scale=(0.9,1.1)) + ");
        }
        if (colorJitter) {
            sb.append("ColorJitter(0.2,0.2,0.2,0.05) + ");
        }
        sb.append("ToTensor");
        if (normalizeTrainOnly) {
            sb.append(" + Normalize(ImageNet) [train only]");
        }
        return sb.toString();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
