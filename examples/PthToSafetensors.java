import java.nio.file.Path;
import java.util.Map;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.io.KeyMapper;
import org.gradlab.nn.io.SafeTensors;
import org.gradlab.nn.io.TorchCheckpoint;
import org.gradlab.nn.models.ChallengeModels;
import org.gradlab.nn.models.ResNet;

/**
 * Loads PyTorch weights saved with torch.save(model.state_dict()) — e.g. torchvision's
 * resnet18-f37072fd.pth, or the exp-08 CNN's model08.pth — into a GradLab model, and saves them as
 * safetensors. Args: in.pth out.safetensors. No pickle code is executed (a restricted unpickler).
 */
public class PthToSafetensors {
    public static void main(String[] args) throws Exception {
        Map<String, Tensor> weights = TorchCheckpoint.load(Path.of(args[0]));
        Module model;
        if (weights.containsKey("fc.weight")) { // torchvision ResNet-18: its 1000-class head is left out
            model = ResNet.resnet18(7, new Generator(0));
            Map<String, int[]> shapes = KeyMapper.shapesOf(model.stateDict());
            KeyMapper.Result mapped = KeyMapper.torchvisionResNet18().apply(weights, shapes);
            model.loadStateDict(mapped.mapped(), false);
            System.out.println(mapped.report());
        } else {                                // the challenge's exp-08 CNN, same key names as PyTorch
            model = ChallengeModels.exp08BatchNorm(new Generator(0));
            model.loadStateDict(weights, true);
        }
        System.out.printf("loaded %d tensors, %,d parameters%n", weights.size(), model.parameterCount());
        SafeTensors.save(Path.of(args[1]), model.stateDict());
        Map<String, Tensor> back = SafeTensors.load(Path.of(args[1]));
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            if (!java.util.Arrays.equals(e.getValue().toDoubleArray(), back.get(e.getKey()).toDoubleArray())) {
                throw new IllegalStateException("safetensors round trip changed " + e.getKey());
            }
        }
        System.out.println("saved " + back.size() + " tensors to " + args[1] + "; read back identical");
    }
}
