package org.gradlab.engine.inspect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.Shape;

/**
 * Draws a {@link GraphModel} as SVG without Graphviz: nodes in rows by depth (leaves at the
 * bottom, the loss at the top), edges as curves labelled with the tensor's shape.
 */
public final class GraphSvg {
    private static final int BOX_W = 190;
    private static final int BOX_H = 52;
    private static final int GAP_X = 24;
    private static final int GAP_Y = 56;

    private GraphSvg() {}

    public static String render(GraphModel g) {
        Map<Integer, List<GraphModel.Node>> rows = new HashMap<>();
        int maxLayer = 0;
        for (GraphModel.Node n : g.nodes()) {
            rows.computeIfAbsent(n.layer(), k -> new ArrayList<>()).add(n);
            maxLayer = Math.max(maxLayer, n.layer());
        }
        int maxRow = rows.values().stream().mapToInt(List::size).max().orElse(1);
        int width = Math.max(400, maxRow * (BOX_W + GAP_X) + GAP_X);
        int height = (maxLayer + 1) * (BOX_H + GAP_Y) + GAP_Y;
        Map<Integer, int[]> pos = new HashMap<>();
        for (Map.Entry<Integer, List<GraphModel.Node>> e : rows.entrySet()) {
            List<GraphModel.Node> row = e.getValue();
            int rowWidth = row.size() * (BOX_W + GAP_X) - GAP_X;
            int x0 = (width - rowWidth) / 2;
            int y = height - GAP_Y - (e.getKey() + 1) * (BOX_H + GAP_Y) + GAP_Y / 2;
            for (int i = 0; i < row.size(); i++) {
                pos.put(row.get(i).id(), new int[] {x0 + i * (BOX_W + GAP_X), y});
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"Helvetica, Arial, sans-serif\">\n");
        sb.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" "
                + "orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#6b7280\"/></marker></defs>\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (GraphModel.Edge e : g.edges()) {
            int[] a = pos.get(e.from());
            int[] b = pos.get(e.to());
            double x1 = a[0] + BOX_W / 2.0;
            double y1 = a[1];
            double x2 = b[0] + BOX_W / 2.0;
            double y2 = b[1] + BOX_H;
            double my = (y1 + y2) / 2;
            sb.append(String.format("<path d=\"M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f\" fill=\"none\" stroke=\"#9ca3af\" "
                    + "stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>\n", x1, y1, x1, my, x2, my, x2, y2));
            sb.append(String.format("<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" fill=\"#6b7280\">%s</text>\n",
                    (x1 + x2) / 2 + 3, my, xml(Shape.str(e.shape()))));
        }
        for (GraphModel.Node n : g.nodes()) {
            int[] p = pos.get(n.id());
            String fill = switch (n.kind()) {
                case OP -> "#dbeafe";
                case PARAMETER -> "#fde68a";
                case INPUT -> "#e5e7eb";
            };
            int rx = n.kind() == GraphModel.Kind.OP ? 8 : 24;
            sb.append(String.format("<g><title>%s</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"%d\" fill=\"%s\" "
                    + "stroke=\"#374151\" stroke-width=\"1\"/>\n", xml(GraphModel.label(n).replace("\\n", " | ")), p[0], p[1],
                    BOX_W, BOX_H, rx, fill));
            String title = n.label() + (n.scope().isEmpty() ? "" : " @ " + n.scope());
            sb.append(text(p[0] + BOX_W / 2, p[1] + 16, 11, "bold", title));
            sb.append(text(p[0] + BOX_W / 2, p[1] + 31, 10, "normal", Shape.str(n.shape())));
            String third = n.kind() == GraphModel.Kind.OP ? "saved " + Bytes.human(n.savedBytes())
                    : (n.kind() == GraphModel.Kind.PARAMETER ? "parameter" : "input");
            sb.append(text(p[0] + BOX_W / 2, p[1] + 45, 9, "normal", third));
            sb.append("</g>\n");
        }
        return sb.append("</svg>\n").toString();
    }

    private static String text(int x, int y, int size, String weight, String s) {
        String t = s.length() > 30 ? s.substring(0, 29) + "…" : s;
        return String.format("<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\" text-anchor=\"middle\" fill=\"#111827\">%s</text>\n",
                x, y, size, weight, xml(t));
    }

    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
