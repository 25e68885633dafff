package org.gradlab.challenge.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.study.BundledStudies;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.challenge.run.StudyModels;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Functional;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.GradMode;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.inspect.GraphModel;
import org.gradlab.engine.inspect.GraphSvg;
import org.gradlab.engine.inspect.SavedTensorLedger;
import org.gradlab.nn.Module;
import org.gradlab.nn.models.Backbones;
import org.gradlab.nn.data.transforms.ToTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./gradlab explain --exp 08}: one training step of an experiment's model, with the
 * backward pass walked node by node — the op, its derivative rule (from the op's own
 * documentation), gradient shapes and norms, the axes un-broadcasting summed, and each
 * accumulation into a parameter — then the saved-tensor ledger, and the graph as DOT and SVG.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Walk the backward pass of one training step node by node; write the autograd graph (DOT, SVG).")
public final class ExplainCommand implements Callable<Integer> {
    @Option(names = "--exp", defaultValue = "08", description = "experiment whose model is used (default 08)")
    String exp;

    @Option(names = "--model", description = "a seeds' backbone instead of the experiment's model: efficientnet_b0 | vit_tiny "
            + "(ViT-Tiny with 12 layers, patch 4 at 28x28)")
    String backbone;

    @Option(names = "--batch", defaultValue = "4", description = "images in the step (default 4)")
    int batch;

    @Option(names = "--data", description = "MedMNIST npz for real images (default: random images)")
    Path data;

    @Option(names = "--device", defaultValue = "auto", description = "auto | cpu | cuda[:N] (default: auto)")
    String device;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", defaultValue = "runs/explain", description = "where graph.dot and graph.svg go")
    Path out;

    @Override
    public Integer call() throws Exception {
        CliChecks.atLeastOne(spec, "--batch", batch);
        CliChecks.readableFile(spec, "--data", data);
        StudyExperiment e = BundledStudies.get("dermamnist-25").select(exp).get(0);
        Device dev = org.gradlab.engine.backend.DeviceDetection.resolve(device, System.out);
        Module model = backbone == null ? StudyModels.build(e.model(), 3, 28, 7, new Generator(0))
                : Backbones.create(backbone, 3, 7, 28, 4, new Generator(0));
        model.to(dev);
        model.train();
        Map<Tensor, String> names = new IdentityHashMap<>();
        model.namedParameters().forEach((k, v) -> {
            names.put(v, k);
            v.name(k); // the graph view labels parameters with their state-dict names
        });
        Tensor x;
        int[] y = new int[batch];
        if (data != null) {
            Split s = MedMnist.load(data).train();
            float[] buf = new float[batch * 3 * 28 * 28];
            for (int i = 0; i < batch; i++) {
                y[i] = s.labels()[i];
                ToTensor.write(s.image(i), buf, i * 3 * 784);
            }
            x = Tensor.of(buf, batch, 3, 28, 28);
        } else {
            Generator g = new Generator(1);
            x = Tensor.uniform(g, 0, 1, DType.F32, Device.CPU, batch, 3, 28, 28);
            for (int i = 0; i < batch; i++) {
                y[i] = g.nextInt(7);
            }
        }
        x = x.to(dev);
        x.name("images");
        Tensor loss = Functional.crossEntropy(model.call(x), y, null, e.loss().labelSmoothing(), Reduction.MEAN);
        System.out.printf("%s: loss %.4f on %d images; backward, node by node:%n%n",
                backbone == null ? "exp " + e.id() + " " + e.name() : backbone, loss.item(), batch);
        SavedTensorLedger ledger = SavedTensorLedger.of(loss);
        GraphModel graph = GraphModel.of(loss);
        Files.createDirectories(out);
        Files.writeString(out.resolve("graph.dot"), graph.toDot());
        Files.writeString(out.resolve("graph.svg"), GraphSvg.render(graph));
        Autograd.BackwardListener l = new Autograd.BackwardListener() {
            int step;

            @Override
            public void onNode(Op op, Tensor gradOut, Tensor[] gradIns, int[][] axes) {
                System.out.printf("%3d  %-12s %-18s  %s%n", ++step, op.name(), op.scope().isEmpty() ? "" : "@ " + op.scope(),
                        op.derivativeRule());
                System.out.printf("       in: grad %s  |g| = %.4e%n", Shape.str(gradOut.shape()), norm(gradOut));
                Tensor[] ins = op.inputs();
                for (int i = 0; i < gradIns.length; i++) {
                    if (gradIns[i] == null) {
                        continue;
                    }
                    String who = names.containsKey(ins[i]) ? names.get(ins[i]) : ins[i].isLeaf() ? "input" : ins[i].gradFn().name();
                    String summed = axes[i] != null && axes[i].length > 0 ? "  (un-broadcast: summed axes " + Shape.str(axes[i]) + ")" : "";
                    System.out.printf("      out: grad %-16s |g| = %.4e  -> %s%s%n", Shape.str(gradIns[i].shape()), norm(gradIns[i]), who, summed);
                }
            }

            @Override
            public void onLeaf(Tensor leaf, Tensor grad) {
                String n = names.get(leaf);
                if (n != null) {
                    double before = leaf.grad() == null ? 0 : norm(leaf.grad());
                    System.out.printf("       accumulate into %-24s |grad| %.4e -> %.4e%n", n, before,
                            leaf.grad() == null ? norm(grad) : norm(leaf.grad().add(grad)));
                }
            }
        };
        Autograd.addListener(l);
        try {
            loss.backward();
        } finally {
            Autograd.removeListener(l);
        }
        System.out.printf("%nsaved for backward (one step, batch %d):%n%s", batch, ledger.format(8));
        System.out.printf("%ngraph: %d nodes, %d edges -> %s, %s%n", graph.nodes().size(), graph.edges().size(),
                out.resolve("graph.dot"), out.resolve("graph.svg"));
        return 0;
    }

    private static double norm(Tensor t) {
        try (GradMode ng = GradMode.noGrad()) {
            return Math.sqrt(t.mul(t).sum().item());
        }
    }
}
