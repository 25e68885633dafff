package org.gradlab.engine.inspect;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Op;

/**
 * The autograd graph behind a tensor as plain nodes and edges: one node per op (with its output
 * shape and the bytes it saved for backward) and one per leaf tensor (parameters — leaves that
 * require a gradient — and inputs), one edge per tensor flowing into an op.
 */
public final class GraphModel {
    public enum Kind { OP, PARAMETER, INPUT }

    /** A node; {@code layer} is its row: ops by depth from the leaves, a leaf one row below its first consumer. */
    public record Node(int id, Kind kind, String label, String scope, int[] shape, long savedBytes, int layer) {}

    public record Edge(int from, int to, int[] shape) {}

    private final List<Node> nodes = new ArrayList<>();
    private final List<Edge> edges = new ArrayList<>();

    private GraphModel() {}

    public static GraphModel of(Tensor root) {
        GraphModel g = new GraphModel();
        List<Op> order = Autograd.graph(root); // consumers before producers
        Map<Object, Integer> ids = new IdentityHashMap<>();
        Map<Object, Integer> layers = new IdentityHashMap<>();
        // producers first so layers can be computed in one pass; a leaf sits one row below the
        // first op that consumes it (so parameters appear next to their layer, not all in one row)
        for (int i = order.size() - 1; i >= 0; i--) {
            Op op = order.get(i);
            int layer = 1;
            for (Tensor in : op.inputs()) {
                if (in != null && in.gradFn() != null && layers.containsKey(in.gradFn())) {
                    layer = Math.max(layer, layers.get(in.gradFn()) + 1);
                }
            }
            int id = g.nodes.size();
            g.nodes.add(new Node(id, Kind.OP, op.name(), op.scope(), op.output().shape(), op.savedBytes(), layer));
            ids.put(op, id);
            layers.put(op, layer);
            for (Tensor in : op.inputs()) {
                if (in == null) {
                    continue;
                }
                Object key = in.gradFn() != null ? in.gradFn() : in;
                if (!ids.containsKey(key)) {
                    Kind kind = in.requiresGrad() ? Kind.PARAMETER : Kind.INPUT;
                    String label = in.name() != null ? in.name() : (kind == Kind.PARAMETER ? "parameter" : "input");
                    int leafId = g.nodes.size();
                    g.nodes.add(new Node(leafId, kind, label, "", in.shape(), 0, layer - 1));
                    ids.put(key, leafId);
                    layers.put(key, layer - 1);
                }
                g.edges.add(new Edge(ids.get(key), id, in.shape()));
            }
        }
        return g;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public List<Edge> edges() {
        return edges;
    }

    /** Graphviz DOT text. */
    public String toDot() {
        StringBuilder sb = new StringBuilder("digraph autograd {\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
        for (Node n : nodes) {
            String style = switch (n.kind()) {
                case OP -> "shape=box, style=\"rounded,filled\", fillcolor=\"#dbeafe\"";
                case PARAMETER -> "shape=ellipse, style=filled, fillcolor=\"#fde68a\"";
                case INPUT -> "shape=ellipse, style=filled, fillcolor=\"#e5e7eb\"";
            };
            sb.append("  n").append(n.id()).append(" [label=\"").append(escape(label(n))).append("\", ").append(style).append("];\n");
        }
        for (Edge e : edges) {
            sb.append("  n").append(e.from()).append(" -> n").append(e.to()).append(" [label=\"")
                    .append(Shape.str(e.shape())).append("\", fontsize=8];\n");
        }
        return sb.append("}\n").toString();
    }

    /** The text shown in a node: name, scope, shape and saved bytes. */
    static String label(Node n) {
        StringBuilder sb = new StringBuilder(n.label());
        if (!n.scope().isEmpty()) {
            sb.append(" @ ").append(n.scope());
        }
        sb.append("\\n").append(Shape.str(n.shape()));
        if (n.kind() == Kind.OP) {
            sb.append("\\nsaved ").append(Bytes.human(n.savedBytes()));
        }
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("\"", "\\\"");
    }
}
