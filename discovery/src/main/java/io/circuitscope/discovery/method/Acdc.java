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
 * evaluates one hypothesis per remaining edge, assuming a predicted decision for every earlier edge (first "remove",
 * later the decision the previous pass suggested); decisions are then taken in order, and at the first one that
 * contradicts its prediction the remaining hypotheses are discarded and re-run on the true circuit.
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
        ComputationGraph graph = patcher.graph();
        BitSet current = (BitSet) candidates.clone();
        double[] deltas = new double[graph.edgeCount()];
        double metric = patcher.evaluate(current);
        int passes = 1;
        long done = 0;
        long total = candidates.cardinality();
        for (Receiver receiver : receiversInReverseOrder(graph)) {
            List<GraphEdge> incoming = incoming(graph, receiver, current);
            if (incoming.isEmpty()) {
                continue;
            }
            if (receiver.node().kind() != GraphNode.Kind.LOGITS && !feedsAnything(graph, receiver.node(), current)) {
                incoming.forEach(e -> current.clear(e.index()));
                done += incoming.size();
                progress.update("acdc", done, total, metric);
                continue;
            }
            boolean[] predictRemove = new boolean[incoming.size()];
            Arrays.fill(predictRemove, true);
            int i = 0;
            while (i < incoming.size()) {
                int window = Math.min(incoming.size() - i, Math.max(4, patcher.batchLimit()));
                List<int[]> flips = new ArrayList<>(window);
                List<Integer> assumed = new ArrayList<>();
                for (int j = i; j < i + window; j++) {
                    int[] f = new int[assumed.size() + 1];
                    for (int t = 0; t < assumed.size(); t++) {
                        f[t] = assumed.get(t);
                    }
                    f[assumed.size()] = incoming.get(j).index();
                    flips.add(f);
                    if (predictRemove[j]) {
                        assumed.add(incoming.get(j).index());
                    }
                }
                double[] values = patcher.evaluate(current, flips);
                passes++;
                int j = i;
                boolean mispredicted = false;
                while (j < i + window && !mispredicted) {
                    double delta = values[j - i] - metric;
                    GraphEdge e = incoming.get(j);
                    deltas[e.index()] = delta;
                    boolean remove = (absolute ? Math.abs(delta) : delta) < threshold;
                    if (remove) {
                        current.clear(e.index());
                        metric = values[j - i];
                    }
                    mispredicted = remove != predictRemove[j];
                    j++;
                }
                if (mispredicted) {
                    // Re-predict the rest from this pass: each hypothesis's change over the one before it in the chain.
                    double before = metric;
                    for (int t = j; t < i + window; t++) {
                        double d = values[t - i] - before;
                        predictRemove[t] = (absolute ? Math.abs(d) : d) < threshold;
                    }
                }
                done += j - i;
                progress.update("acdc", done, total, metric);
                i = j;
            }
        }
        BitSet pruned = graph.prune(current);
        if (!pruned.equals(current)) {
            metric = patcher.evaluate(pruned);
            passes++;
        }
        return new Outcome(pruned, deltas, metric, passes);
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
