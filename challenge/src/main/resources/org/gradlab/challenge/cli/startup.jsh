// gradlab shell: the engine on the class path and the common imports (printed by /imports)
import java.nio.file.*;
import java.util.*;
import org.gradlab.engine.*;
import org.gradlab.engine.ops.*;
import org.gradlab.engine.autograd.*;
import org.gradlab.engine.check.GradCheck;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.*;
import org.gradlab.nn.optim.*;
import org.gradlab.nn.io.*;
import org.gradlab.nn.models.*;
import org.gradlab.challenge.data.MedMnist;
System.out.println("GradLab shell: Tensor, ops, nn.layers, optim, io and models are imported; try  var x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);  then  x.mul(x).sum().backward();  x.grad()");
