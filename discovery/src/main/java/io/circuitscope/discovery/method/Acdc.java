package io.circuitscope.discovery.method;

import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.graph.GraphEdge;
import io.circuitscope.discovery.graph.GraphNode;
import io.circuitscope.discovery.patching.EdgePatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * ACDC (Conmy et al. 2023) over a candidate edge set. Receivers are visited in reverse topological order: logits,
 * then from the last layer to the first its MLP and its heads from the last to the first, each head's v, k and then
 * q input. A receiver whose node no longer feeds anything loses its incoming edges untested. Otherwise each incoming
 * edge, latest sender first (MLP, heads from last to first, input last, as ACDC orders parents), is removed if the
 * metric rises by less than τ (Δ = m(C − e) − m(C), or |Δ| when asked); a removal becomes the new baseline at once.
 *
 * <p>The greedy loop is sequential, yet its trials run batched and give exactly the sequential result: each pass
 * follows the traversal ahead, across the receivers of one layer, assuming a predicted decision for every edge (first "remove", later
 * the decision a previous pass suggested), and evaluates one hypothesis per trial; decisions are then taken in order,
 * and at the first one that contradicts its prediction the rest of the pass is discarded and re-run on the true
 * circuit.
 */
public final class Acdc {
    private final EdgePatcher patcher;
    private final double threshold;
    private final boolean absolute;
    private final DiscoveryProgress progress;

    public Acdc(EdgePatcher patcher, double threshold, boolean absolute, DiscoveryProgress progress) {
        this.patcher = patcher;
        this.threshold = threshold;
        this.absolute = absolute;
        this.progress = progress;
    }

    /** The result: the circuit left, and each tested edge's Δ (0 for edges never tested). */
    public record Outcome(BitSet circuit, double[] deltas, double metric, int passes) {
    }

    /** Prunes {@code candidates}; edges outside it are treated as absent throughout. */
    public Outcome run(BitSet candidates) {
        return run(candidates, null);
    }

    /**
     * Prunes {@code candidates}, using {@code estimates} (per edge, e.g. EAP scores: an estimate of each edge's Δ)
     * only to predict decisions for the batched trials; the result is the same with or without them (up to float
     * rounding, which differs with how a trial's batch was built), only the number of passes changes.
     */
    public Outcome run(BitSet candidates, double[] estimates) {
        ComputationGraph graph = patcher.graph();
        List<Receiver> receivers = receiversInReverseOrder(graph);
        // A receiver's candidate inputs change only while that receiver is visited, so their order is fixed now.
        List<List<GraphEdge>> inputs = new ArrayList<>();
        for (Receiver r : receivers) {
            inputs.add(incoming(graph, r, candidates));
        }
        BitSet current = (BitSet) candidates.clone();
        double[] deltas = new double[graph.edgeCount()];
        boolean[] predictRemove = new boolean[graph.edgeCount()];
        Arrays.fill(predictRemove, true);
        if (estimates != null) {
            for (int e = 0; e < predictRemove.length; e++) {
                predictRemove[e] = removes(estimates[e]);
            }
        }
        double metric = patcher.evaluate(current);
        int passes = 1;
        long done = 0;
        long total = candidates.cardinality();
        int receiver = 0;
        int position = 0;
        int window = 8;
        // Within one layer's receivers every trial is stated against the circuit as it was when the layer began, so
        // that the patcher's cached outputs below that layer serve every pass of it.
        BitSet layerBase = null;
        List<Integer> removedInLayer = new ArrayList<>();
        int baseLayer = Integer.MIN_VALUE;
        while (receiver < receivers.size()) {
            int layer = receivers.get(receiver).node().layer();
            if (layer != baseLayer) {
                layerBase = (BitSet) current.clone();
                removedInLayer.clear();
                baseLayer = layer;
            }
            List<Event> events = simulate(graph, receivers, inputs, receiver, position, current, removedInLayer,
                    predictRemove, window);
            List<int[]> flips = new ArrayList<>();
            for (Event e : events) {
                if (e.trial() != null) {
                    flips.add(e.flips());
                }
            }
            double[] values = flips.isEmpty() ? new double[0] : patcher.evaluate(layerBase, flips);
            passes += flips.isEmpty() ? 0 : 1;
            int t = 0;
            int valid = 0;
            boolean mispredicted = false;
            double chainBefore = metric;
            for (Event e : events) {
                if (mispredicted) {
                    if (e.trial() != null) {
                        // Re-predict the rest from this pass: each trial's change over the state before it.
                        double d = values[t] - chainBefore;
                        predictRemove[e.trial().index()] = removes(d);
                        if (e.predictedRemove()) {
                            chainBefore = values[t];
                        }
                        t++;
                    }
                    continue;
                }
                receiver = e.receiver();
                position = e.position() + 1;
                if (e.trial() == null) {
                    e.skipped().forEach(x -> {
                        current.clear(x.index());
                        removedInLayer.add(x.index());
                    });
                    done += e.skipped().size();
                    position = inputs.get(receiver).size();
                    continue;
                }
                double delta = values[t] - metric;
                deltas[e.trial().index()] = delta;
                boolean remove = removes(delta);
                if (remove) {
                    current.clear(e.trial().index());
                    removedInLayer.add(e.trial().index());
                    metric = values[t];
                }
                if (e.predictedRemove()) {
                    chainBefore = values[t];
                }
                mispredicted = remove != e.predictedRemove();
                done++;
                valid++;
                t++;
            }
            if (position >= inputs.get(receiver).size()) {
                receiver++;
                position = 0;
            }
            // Speculate further after a pass whose predictions all held, less far after one that broke early.
            window = mispredicted ? Math.max(4, 2 * valid) : Math.min(2 * window,
                    Math.max(4, patcher.batchLimit()));
            progress.update("acdc", done, total, metric);
        }
        BitSet pruned = graph.prune(current);
        if (!pruned.equals(current)) {
            metric = patcher.evaluate(pruned);
            passes++;
        }
        return new Outcome(pruned, deltas, metric, passes);
    }

    /**
     * One step of ACDC's traversal under predicted decisions: a trial of one edge (as flips of the circuit the layer
     * began with: the removals made in this layer so far, those predicted before it in this pass, and the edge), or
     * a receiver whose node feeds nothing losing its inputs.
     */
    private record Event(int receiver, int position, GraphEdge trial, int[] flips, boolean predictedRemove,
                         List<GraphEdge> skipped) {
    }

    /** ACDC's traversal from (receiver, position) assuming the predicted decisions, up to {@code limit} trials. */
    private static List<Event> simulate(ComputationGraph graph, List<Receiver> receivers, List<List<GraphEdge>> inputs,
                                        int receiver, int position, BitSet current, List<Integer> removed,
                                        boolean[] predictRemove, int limit) {
        BitSet state = (BitSet) current.clone();
        List<Integer> assumed = new ArrayList<>(removed);
        List<Event> events = new ArrayList<>();
        int trials = 0;
        int layer = receivers.get(receiver).node().layer();
        // One pass stays within one layer's receivers, so that it starts at that layer, not at the earliest one.
        for (int r = receiver; r < receivers.size() && trials < limit && receivers.get(r).node().layer() == layer;
             r++) {
            List<GraphEdge> edges = inputs.get(r);
            int from = r == receiver ? position : 0;
            if (from >= edges.size()) {
                continue;
            }
            GraphNode node = receivers.get(r).node();
            if (from == 0 && node.kind() != GraphNode.Kind.LOGITS && !feedsAnything(graph, node, state)) {
                List<GraphEdge> present = edges.stream().filter(e -> state.get(e.index())).toList();
                present.forEach(e -> {
                    state.clear(e.index());
                    assumed.add(e.index());
                });
                events.add(new Event(r, edges.size() - 1, null, null, false, present));
                continue;
            }
            for (int p = from; p < edges.size() && trials < limit; p++) {
                GraphEdge e = edges.get(p);
                int[] flips = new int[assumed.size() + 1];
                for (int i = 0; i < assumed.size(); i++) {
                    flips[i] = assumed.get(i);
                }
                flips[assumed.size()] = e.index();
                boolean remove = predictRemove[e.index()];
                events.add(new Event(r, p, e, flips, remove, List.of()));
                trials++;
                if (remove) {
                    state.clear(e.index());
                    assumed.add(e.index());
                }
            }
        }
        return events;
    }

    /** ACDC's rule: an edge goes when the metric rises by less than τ on its removal (|Δ| when asked). */
    private boolean removes(double delta) {
        return (absolute ? Math.abs(delta) : delta) < threshold;
    }

    private static boolean feedsAnything(ComputationGraph graph, GraphNode node, BitSet current) {
        for (GraphEdge e : graph.dag().outgoingEdgesOf(node)) {
            if (current.get(e.index())) {
                return true;
            }
        }
        return false;
    }

    private static List<GraphEdge> incoming(ComputationGraph graph, Receiver r, BitSet current) {
        List<GraphEdge> out = new ArrayList<>();
        for (GraphEdge e : graph.dag().incomingEdgesOf(r.node())) {
            if (e.input() == r.input() && current.get(e.index())) {
                out.add(e);
            }
        }
        // Latest sender first; canonical edge order lists senders in forward order within one receiver.
        out.sort(Comparator.comparingInt(GraphEdge::index).reversed());
        return out;
    }

    private record Receiver(GraphNode node, GraphEdge.Input input) {
    }

    private static List<Receiver> receiversInReverseOrder(ComputationGraph graph) {
        List<Receiver> out = new ArrayList<>();
        out.add(new Receiver(graph.logitsNode(), GraphEdge.Input.NONE));
        for (int l = graph.nLayers() - 1; l >= 0; l--) {
            if (graph.hasMlp()) {
                out.add(new Receiver(GraphNode.mlp(l), GraphEdge.Input.NONE));
            }
            for (int h = graph.nHeads() - 1; h >= 0; h--) {
                for (GraphEdge.Input in : new GraphEdge.Input[] {GraphEdge.Input.V, GraphEdge.Input.K,
                        GraphEdge.Input.Q}) {
                    out.add(new Receiver(GraphNode.head(l, h), in));
                }
            }
        }
        return out;
    }
}
