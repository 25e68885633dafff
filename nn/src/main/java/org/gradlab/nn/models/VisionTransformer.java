package org.gradlab.nn.models;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.Narrow;
import org.gradlab.nn.Module;
import org.gradlab.nn.init.Init;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.Dropout;
import org.gradlab.nn.layers.GELU;
import org.gradlab.nn.layers.LayerNorm;
import org.gradlab.nn.layers.Linear;
import org.gradlab.nn.layers.MultiheadAttention;
import org.gradlab.nn.layers.Sequential;

/**
 * torchvision's {@code VisionTransformer} with its state-dict names: {@code class_token}
 * (1,1,D), {@code conv_proj} (patch embedding: a p x p conv with stride p), {@code encoder}
 * ({@code pos_embedding} (1, T+1, D), {@code layers.encoder_layer_i}, {@code ln}) and
 * {@code heads.head}.
 * <pre>
 * x = conv_proj(img) -> (N, D, H/p, W/p) -> (N, T, D)      T = (H/p)(W/p) patches, row-major
 * x = [class_token ; x] + pos_embedding                    (N, T+1, D)
 * each layer (pre-norm): x = x + attention(ln_1(x));  x = x + mlp(ln_2(x))
 * logits = heads.head(ln(x)[:, 0])                         the class token's output
 * </pre>
 * LayerNorm eps 1e-6, mlp = Linear(D, M), exact GELU, Dropout, Linear(M, D), Dropout
 * ({@code mlp.0}, {@code mlp.3}). Init as torchvision: conv_proj N(0, 1/fan_in) (torchvision's
 * trunc_normal cuts at +-2, about 55 std here: never reached) with zero bias, class token 0,
 * pos_embedding N(0, 0.02^2), MLP Linear weights xavier_uniform with N(0, 1e-12) biases, the
 * head all zeros. {@link #vitTiny} = ViT-Tiny widths (D 192, 3 heads, M 768); at 224 / patch 16 /
 * 12 layers / 1000 classes it has 5,717,416 parameters.
 */
public final class VisionTransformer extends Module {
    public static final double LAYER_NORM_EPS = 1e-6;
    public final int imageSize;
    public final int patchSize;
    public final int hiddenDim;

    /**
     * @param inChannels image channels conv_proj reads (torchvision: 3)
     * @param dropout dropout after the position embedding, the attention and in the MLP (torchvision's default 0)
     */
    public VisionTransformer(int imageSize, int patchSize, int numLayers, int numHeads, int hiddenDim, int mlpDim, int inChannels,
                             int numClasses, double dropout, Generator gen) {
        if (imageSize <= 0 || patchSize <= 0 || imageSize % patchSize != 0) {
            throw new IllegalArgumentException("VisionTransformer: image_size must be a positive multiple of patch_size, got "
                    + imageSize + " and " + patchSize);
        }
        if (numLayers <= 0 || inChannels <= 0 || numClasses <= 0) {
            throw new IllegalArgumentException("VisionTransformer: expected positive num_layers, in_channels and num_classes, got "
                    + numLayers + ", " + inChannels + ", " + numClasses);
        }
        this.imageSize = imageSize;
        this.patchSize = patchSize;
        this.hiddenDim = hiddenDim;
        Conv2d proj = registerModule("conv_proj", new Conv2d(inChannels, hiddenDim, patchSize, patchSize, 0, 1, true, gen));
        registerParameter("class_token", Init.constant(0, DType.F32, Device.CPU, 1, 1, hiddenDim));
        int seq = (imageSize / patchSize) * (imageSize / patchSize) + 1;
        registerModule("encoder", new Encoder(seq, numLayers, numHeads, hiddenDim, mlpDim, dropout, gen));
        Linear head = new Linear(hiddenDim, numClasses, gen);
        registerModule("heads", new Sequential().add("head", head));
        int fanIn = inChannels * patchSize * patchSize;
        Init.copyInto(proj.weight(), Init.normal(gen, 0, Math.sqrt(1.0 / fanIn), DType.F64, Device.CPU, proj.weight().shape()));
        Init.copyInto(proj.bias(), Init.constant(0, DType.F64, Device.CPU, hiddenDim));
        Init.copyInto(head.weight(), Init.constant(0, DType.F64, Device.CPU, head.weight().shape()));
        Init.copyInto(head.bias(), Init.constant(0, DType.F64, Device.CPU, numClasses));
    }

    /** ViT-Tiny widths (hidden 192, 3 heads, MLP 768) with the given geometry and depth. */
    public static VisionTransformer vitTiny(int imageSize, int patchSize, int numLayers, int inChannels, int numClasses, Generator gen) {
        return new VisionTransformer(imageSize, patchSize, numLayers, 3, 192, 768, inChannels, numClasses, 0.0, gen);
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if (s.length != 4 || s[2] != imageSize || s[3] != imageSize) {
            throw new IllegalArgumentException("VisionTransformer: expected images (N, C, " + imageSize + ", " + imageSize + "), got "
                    + org.gradlab.engine.Shape.str(s));
        }
        int n = s[0];
        Tensor patches = child("conv_proj").call(x);                  // (N, D, h, w)
        int t = patches.shape(2) * patches.shape(3);
        patches = patches.reshape(n, hiddenDim, t).permute(0, 2, 1);  // (N, T, D)
        Tensor cls = Tensor.zeros(x.dtype(), x.device(), n, 1, hiddenDim).add(param("class_token")); // expand to the batch
        Tensor h = child("encoder").call(Tensor.concat(java.util.List.of(cls, patches), 1));
        Tensor first = Narrow.apply(h, 1, 0, 1).reshape(n, hiddenDim);
        return child("heads").call(first);
    }

    /** torchvision's {@code Encoder}: pos_embedding, dropout, layers, ln. */
    static final class Encoder extends Module {
        Encoder(int seq, int numLayers, int numHeads, int hiddenDim, int mlpDim, double dropout, Generator gen) {
            registerParameter("pos_embedding", Init.normal(gen, 0, 0.02, DType.F32, Device.CPU, 1, seq, hiddenDim));
            registerModule("dropout", new Dropout(dropout, gen.fork()));
            Sequential layers = new Sequential();
            for (int i = 0; i < numLayers; i++) {
                layers.add("encoder_layer_" + i, new EncoderBlock(numHeads, hiddenDim, mlpDim, dropout, gen));
            }
            registerModule("layers", layers);
            registerModule("ln", new LayerNorm(hiddenDim, LAYER_NORM_EPS));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = child("dropout").call(x.add(param("pos_embedding")));
            return child("ln").call(child("layers").call(h));
        }
    }

    /** torchvision's {@code EncoderBlock}: pre-norm attention and MLP, each with a residual connection. */
    static final class EncoderBlock extends Module {
        EncoderBlock(int numHeads, int hiddenDim, int mlpDim, double dropout, Generator gen) {
            registerModule("ln_1", new LayerNorm(hiddenDim, LAYER_NORM_EPS));
            registerModule("self_attention", new MultiheadAttention(hiddenDim, numHeads, true, gen));
            registerModule("dropout", new Dropout(dropout, gen.fork()));
            registerModule("ln_2", new LayerNorm(hiddenDim, LAYER_NORM_EPS));
            Linear fc1 = new Linear(hiddenDim, mlpDim, gen);
            Linear fc2 = new Linear(mlpDim, hiddenDim, gen);
            for (Linear l : new Linear[] {fc1, fc2}) {
                double bound = Math.sqrt(6.0 / (l.inFeatures + l.outFeatures)); // xavier_uniform
                Init.copyInto(l.weight(), Init.uniform(gen, -bound, bound, DType.F64, Device.CPU, l.weight().shape()));
                Init.copyInto(l.bias(), Init.normal(gen, 0, 1e-6, DType.F64, Device.CPU, l.outFeatures));
            }
            registerModule("mlp", new Sequential(fc1, new GELU(), new Dropout(dropout, gen.fork()), fc2, new Dropout(dropout, gen.fork())));
        }

        @Override
        public Tensor forward(Tensor input) {
            Tensor x = child("ln_1").call(input);
            x = child("dropout").call(child("self_attention").call(x)).add(input);
            return x.add(child("mlp").call(child("ln_2").call(x)));
        }
    }
}
