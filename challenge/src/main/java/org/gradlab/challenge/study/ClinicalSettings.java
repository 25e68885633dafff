package org.gradlab.challenge.study;

/**
 * Typed views of an experiment's settings for what the SIIM-ISIC winners did and for a clinical operating point:
 * {@code tta}, {@code sampler}, {@code cv}, {@code operating_point}, {@code calibrate} and
 * {@code model.multi_sample_dropout}. Like every setting they live in {@code defaults} or an experiment's {@code set}.
 */
public final class ClinicalSettings {
    private ClinicalSettings() {}

    /** Test-time augmentation: the dihedral views to average (none = plain evaluation). */
    public record Tta(boolean flips, boolean rot90) {
        public boolean active() {
            return flips || rot90;
        }
    }

    /** {@code none} (shuffle every sample once per epoch), {@code balanced} or {@code downsample_majority}. */
    public record Sampler(String name, double ratio) {}

    /** Stratified k-fold over train + validation; null folds = no cross-validation. */
    public record Cv(Integer folds, boolean stratify) {
        public boolean active() {
            return folds != null;
        }
    }

    /** The class whose recall the threshold must reach (a class name or index), or null for none. */
    public record OperatingPoint(String className, double targetRecall) {
        public boolean active() {
            return className != null;
        }
    }

    public static Tta tta(StudyExperiment e) {
        return new Tta(e.settings().flag("tta.flips"), e.settings().flag("tta.rot90"));
    }

    public static Sampler sampler(StudyExperiment e) {
        return new Sampler(e.settings().text("sampler.name"), e.settings().number("sampler.ratio"));
    }

    public static Cv cv(StudyExperiment e) {
        return new Cv(e.settings().optionalInteger("cv.folds"), e.settings().flag("cv.stratify"));
    }

    public static OperatingPoint operatingPoint(StudyExperiment e) {
        return new OperatingPoint(e.settings().text("operating_point.class"), e.settings().number("operating_point.target_recall"));
    }

    /** Whether a temperature is fitted on validation ({@code calibrate: temperature}). */
    public static boolean temperature(StudyExperiment e) {
        return e.settings().text("calibrate").equals("temperature");
    }

    public static int multiSampleDropout(StudyExperiment e) {
        return e.settings().integer("model.multi_sample_dropout");
    }

    /** DermaMNIST's class names as the ISIC 2018 challenge abbreviates them (HAM10000's "dx" column). */
    public static final java.util.List<String> DERMAMNIST_SHORT = java.util.List.of("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc");

    /** The short names a class may also be called by: DermaMNIST's ISIC abbreviations, none for other data. */
    public static java.util.List<String> shortNames(java.util.List<String> classNames) {
        return classNames.size() == 7 && classNames.get(4).equals("melanoma") ? DERMAMNIST_SHORT : java.util.List.of();
    }

    /** The index of class {@code name} (a class name, its short name, or an index) among {@code classNames}, or -1. */
    public static int classIndex(String name, java.util.List<String> classNames) {
        int i = classNames.indexOf(name);
        if (i >= 0) {
            return i;
        }
        i = shortNames(classNames).indexOf(name);
        if (i >= 0) {
            return i;
        }
        if (name.matches("\\d+") && Integer.parseInt(name) < classNames.size()) {
            return Integer.parseInt(name);
        }
        return -1;
    }
}
