package org.gradlab.challenge.experiments;

/**
 * One experiment of the study: a complete, declarative training recipe. Each is built from the
 * one it derives from by changing a few fields ({@link #change}), and says in words what changed.
 *
 * @param basedOn id of the experiment this one changes, or null for the baseline
 * @param change what differs from {@code basedOn}, in words (printed by --list and the report)
 * @param optimizer "sgd" or "adam"
 * @param momentum SGD momentum (0 = none)
 * @param cosine CosineAnnealingLR(T_max = epochs), stepped once per epoch
 * @param classWeights inverse-frequency weights total / (classes × count) in the loss
 * @param pretrained start from ImageNet ResNet-18 weights when they can be had
 * @param freezeBackbone train only the classification head
 * @param dropout dropout probability of the model's dropout layer where the architecture has one
 */
public record Experiment(String id, String name, int chapter, String basedOn, String change, ModelKind model,
                         String optimizer, double lr, double momentum, int epochs, int batchSize, Augmentation augmentation,
                         boolean classWeights, double labelSmoothing, boolean cosine, boolean pretrained,
                         boolean freezeBackbone, double dropout) {

    /** A copy of this experiment as the start of a new one. */
    public Builder derive(String newId, String newName, int newChapter, String changeText) {
        return new Builder(new Experiment(newId, newName, newChapter, id, changeText, model, optimizer, lr, momentum, epochs,
                batchSize, augmentation, classWeights, labelSmoothing, cosine, pretrained, freezeBackbone, dropout));
    }

    /** The recipe as one line (for --list and the report). */
    public String recipe() {
        StringBuilder sb = new StringBuilder();
        sb.append(model.description()).append("; ");
        sb.append(optimizer.equals("sgd") ? "SGD(lr=" + lr + (momentum > 0 ? ", momentum=" + momentum : "") + ")"
                : "Adam(lr=" + lr + ")");
        if (cosine) {
            sb.append(" + CosineAnnealingLR(T_max=").append(epochs).append(')');
        }
        sb.append("; ").append(epochs).append(" epochs, batch ").append(batchSize).append("; ");
        sb.append(augmentation.describe());
        if (classWeights || labelSmoothing > 0) {
            sb.append("; CrossEntropyLoss(");
            sb.append(classWeights ? "weight=inverse frequency" : "");
            sb.append(classWeights && labelSmoothing > 0 ? ", " : "");
            sb.append(labelSmoothing > 0 ? "label_smoothing=" + labelSmoothing : "");
            sb.append(')');
        }
        if (dropout > 0) {
            sb.append("; dropout ").append(dropout);
        }
        if (pretrained) {
            sb.append("; ImageNet weights");
        }
        if (freezeBackbone) {
            sb.append("; backbone frozen");
        }
        return sb.toString();
    }

    /** Changes fields of a derived experiment. */
    public static final class Builder {
        private Experiment e;

        Builder(Experiment e) {
            this.e = e;
        }

        private Builder set(ModelKind model, String opt, double lr, double mom, int epochs, int batch, Augmentation aug,
                            boolean cw, double ls, boolean cos, boolean pre, boolean freeze, double drop) {
            e = new Experiment(e.id, e.name, e.chapter, e.basedOn, e.change, model, opt, lr, mom, epochs, batch, aug, cw, ls,
                    cos, pre, freeze, drop);
            return this;
        }

        public Builder model(ModelKind m) {
            return set(m, e.optimizer, e.lr, e.momentum, e.epochs, e.batchSize, e.augmentation, e.classWeights,
                    e.labelSmoothing, e.cosine, e.pretrained, e.freezeBackbone, e.dropout);
        }

        public Builder sgd(double lr, double momentum) {
            return set(e.model, "sgd", lr, momentum, e.epochs, e.batchSize, e.augmentation, e.classWeights,
                    e.labelSmoothing, e.cosine, e.pretrained, e.freezeBackbone, e.dropout);
        }

        public Builder adam(double lr) {
            return set(e.model, "adam", lr, 0, e.epochs, e.batchSize, e.augmentation, e.classWeights, e.labelSmoothing,
                    e.cosine, e.pretrained, e.freezeBackbone, e.dropout);
        }

        public Builder epochs(int n) {
            return set(e.model, e.optimizer, e.lr, e.momentum, n, e.batchSize, e.augmentation, e.classWeights,
                    e.labelSmoothing, e.cosine, e.pretrained, e.freezeBackbone, e.dropout);
        }

        public Builder batch(int n) {
            return set(e.model, e.optimizer, e.lr, e.momentum, e.epochs, n, e.augmentation, e.classWeights,
                    e.labelSmoothing, e.cosine, e.pretrained, e.freezeBackbone, e.dropout);
        }

        public Builder augmentation(Augmentation a) {
            return set(e.model, e.optimizer, e.lr, e.momentum, e.epochs, e.batchSize, a, e.classWeights, e.labelSmoothing,
                    e.cosine, e.pretrained, e.freezeBackbone, e.dropout);
        }

        public Builder classWeights(boolean on) {
            return set(e.model, e.optimizer, e.lr, e.momentum, e.epochs, e.batchSize, e.augmentation, on, e.labelSmoothing,
                    e.cosine, e.pretrained, e.freezeBackbone, e.dropout);
        }

        public Builder labelSmoothing(double ls) {
            return set(e.model, e.optimizer, e.lr, e.momentum, e.epochs, e.batchSize, e.augmentation, e.classWeights, ls,
                    e.cosine, e.pretrained, e.freezeBackbone, e.dropout);
        }

        public Builder cosine(boolean on) {
            return set(e.model, e.optimizer, e.lr, e.momentum, e.epochs, e.batchSize, e.augmentation, e.classWeights,
                    e.labelSmoothing, on, e.pretrained, e.freezeBackbone, e.dropout);
        }

        public Builder pretrained(boolean on) {
            return set(e.model, e.optimizer, e.lr, e.momentum, e.epochs, e.batchSize, e.augmentation, e.classWeights,
                    e.labelSmoothing, e.cosine, on, e.freezeBackbone, e.dropout);
        }

        public Builder freezeBackbone(boolean on) {
            return set(e.model, e.optimizer, e.lr, e.momentum, e.epochs, e.batchSize, e.augmentation, e.classWeights,
                    e.labelSmoothing, e.cosine, e.pretrained, on, e.dropout);
        }

        public Builder dropout(double p) {
            return set(e.model, e.optimizer, e.lr, e.momentum, e.epochs, e.batchSize, e.augmentation, e.classWeights,
                    e.labelSmoothing, e.cosine, e.pretrained, e.freezeBackbone, p);
        }

        public Experiment build() {
            return e;
        }
    }
}
