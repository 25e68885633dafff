package org.gradlab.engine.inspect;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.ops.Linear;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class GraphViewTest {
    private static Tensor smallGraph() {
        Generator g = new Generator(1);
        Tensor x = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, 4, 3).name("x");
        Tensor w = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, 2, 3).requiresGrad(true).name("fc.weight");
        Tensor b = Tensor.zeros(DType.F32, Device.CPU, 2).requiresGrad(true).name("fc.bias");
        Tensor h;
        try (Autograd.ScopeHandle s = Autograd.scope("fc")) {
            h = Linear.apply(x, w, b);
        }
        return h.relu().sum();
    }

    @Test
    void dotHasOneNodePerOpAndLeafAndOneEdgePerTensor() {
        GraphModel g = GraphModel.of(smallGraph());
        // ops: Linear, Relu, Sum; leaves: x, weight, bias
        assertEquals(6, g.nodes().size());
        assertEquals(5, g.edges().size());
        String dot = g.toDot();
        assertTrue(dot.startsWith("digraph autograd"));
        assertTrue(dot.contains("Linear @ fc"), dot);
        assertTrue(dot.contains("fc.weight") && dot.contains("fillcolor=\"#fde68a\""), "parameters are marked");
        assertTrue(dot.contains("[4,2]"), "edges carry shapes");
        assertEquals(2, g.nodes().stream().filter(n -> n.kind() == GraphModel.Kind.PARAMETER).count());
        assertEquals(1, g.nodes().stream().filter(n -> n.kind() == GraphModel.Kind.INPUT).count());
    }

    @Test
    void svgIsWellFormedXmlWithEveryNode() throws Exception {
        String svg = GraphSvg.render(GraphModel.of(smallGraph()));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        assertEquals(6 + 1, doc.getElementsByTagName("rect").getLength(), "background + one box per node");
        assertEquals(5, doc.getElementsByTagName("path").getLength() - 1, "one curve per edge (+ arrow marker)");
    }

    @Test
    void ledgerCountsSavedBytesPerOpAndLayer() {
        Tensor loss = smallGraph();
        SavedTensorLedger l = SavedTensorLedger.of(loss);
        // Linear saves x (4x3) and weight (2x3); ReLU saves its input (4x2); Sum saves nothing. float32.
        assertEquals((12 + 6) * 4, l.perLayer().get("fc"));
        assertEquals((12 + 6 + 8) * 4, l.totalBytes());
        assertEquals((12 + 6 + 8) * 4, l.peakBytes());
        assertTrue(l.format(3).contains("Linear"));
        loss.backward();
        assertEquals(0, SavedTensorLedger.of(loss).peakBytes(), "backward frees what was saved");
    }
}
