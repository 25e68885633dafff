package org.gradlab.engine.inspect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Op;

/**
 * Bytes saved for backward by every op of a graph, per op and per layer (the module scope the op
 * ran in). All saved tensors are alive together when backward starts, so the peak is their sum
 * (tensors saved by several ops, like a layer's input, are counted once).
 */
public final class SavedTensorLedger {
    public record Entry(String op, String scope, int[] outShape, long savedBytes) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Long> perLayer = new LinkedHashMap<>();
    private long peakBytes;

    private SavedTensorLedger() {}

    public static SavedTensorLedger of(Tensor root) {
        SavedTensorLedger l = new SavedTensorLedger();
        List<Op> order = Autograd.graph(root);
        for (int i = order.size() - 1; i >= 0; i--) { // forward order
            Op op = order.get(i);
            l.entries.add(new Entry(op.name(), op.scope(), op.output().shape(), op.savedBytes()));
            l.perLayer.merge(op.scope().isEmpty() ? "(no module)" : op.scope(), op.savedBytes(), Long::sum);
        }
        l.peakBytes = distinctSavedBytes(order);
        return l;
    }

    private static long distinctSavedBytes(List<Op> ops) {
        java.util.Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        long total = 0;
        for (Op op : ops) {
            for (Tensor t : op.savedTensors()) {
                if (seen.add(t.storage())) {
                    total += t.storage().bytes();
                }
            }
        }
        return total;
    }

    public List<Entry> entries() {
        return entries;
    }

    public Map<String, Long> perLayer() {
        return perLayer;
    }

    /** Bytes held for backward when backward starts (distinct storages). */
    public long peakBytes() {
        return peakBytes;
    }

    public long totalBytes() {
        return entries.stream().mapToLong(Entry::savedBytes).sum();
    }

    /** A plain-text table: per layer, then the largest ops. */
    public String format(int topOps) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-28s %14s%n", "layer", "saved"));
        for (Map.Entry<String, Long> e : perLayer.entrySet()) {
            sb.append(String.format("%-28s %14s%n", e.getKey(), Bytes.human(e.getValue())));
        }
        sb.append(String.format("%-28s %14s%n", "sum over ops", Bytes.human(totalBytes())));
        sb.append(String.format("%-28s %14s%n", "peak (distinct storages)", Bytes.human(peakBytes)));
        List<Entry> top = new ArrayList<>(entries);
        top.sort((a, b) -> Long.compare(b.savedBytes(), a.savedBytes()));
        sb.append(String.format("%nlargest ops:%n"));
        for (int i = 0; i < Math.min(topOps, top.size()); i++) {
            Entry e = top.get(i);
            sb.append(String.format("  %-16s %-20s %-18s %12s%n", e.op(), e.scope(), Shape.str(e.outShape()), Bytes.human(e.savedBytes())));
        }
        return sb.toString();
    }
}
