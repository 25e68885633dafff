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

    /** A node; {@code layer} is its depth from the leaves (leaves are 0). */
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
        // producers first so layers can be computed in one pass
        for (int i = order.size() - 1; i >= 0; i--) {
            Op op = order.get(i);
            int layer = 0;
            List<int[]> pendingEdges = new ArrayList<>();
            for (Tensor in : op.inputs()) {
                if (in == null) {
                    continue;
                }
                Object key = in.gradFn() != null ? in.gradFn() : in;
                if (!ids.containsKey(key)) {
                    Kind kind = in.requiresGrad() ? Kind.PARAMETER : Kind.INPUT;
                    String label = in.name() != null ? in.name() : (kind == Kind.PARAMETER ? "parameter" : "input");
                    int id = g.nodes.size();
                    g.nodes.add(new Node(id, kind, label, "", in.shape(), 0, 0));
                    ids.put(key, id);
                    layers.put(key, 0);
                }
                layer = Math.max(layer, layers.get(key) + 1);
                pendingEdges.add(new int[] {ids.get(key)});
                g.edges.add(new Edge(ids.get(key), -1, in.shape()));
            }
            int id = g.nodes.size();
            g.nodes.add(new Node(id, Kind.OP, op.name(), op.scope(), op.output().shape(), op.savedBytes(), layer));
            ids.put(op, id);
            layers.put(op, layer);
            for (int k = g.edges.size() - pendingEdges.size(); k < g.edges.size(); k++) {
                Edge e = g.edges.get(k);
                g.edges.set(k, new Edge(e.from(), id, e.shape()));
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
