package io.circuitscope.discovery.graph;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgrapht.graph.DirectedAcyclicGraph;

/**
 * The edge-level computation graph of a decoder-only transformer, with the node and edge names of EAP-IG and MIB:
 * every node that writes to the residual stream ({@code input}, heads, MLPs) feeds every later reader (each head's
 * q, k and v input, each MLP, {@code logits}). Edges carry a canonical index in the order MIB files list them, which
 * is the order a circuit's edge set ({@link BitSet}) is indexed by.
 */
public final class ComputationGraph {
    private final int nLayers;
    private final int nHeads;
    private final boolean hasMlp;
    private final boolean parallelAttnMlp;
    private final int dModel;
    private final DirectedAcyclicGraph<GraphNode, GraphEdge> dag;
    private final List<GraphNode> nodes;
    private final List<GraphEdge> edges;
    private final Map<String, GraphEdge> byName = new HashMap<>();
    private final GraphNode input;
    private final GraphNode logits;

    /**
     * @param hasMlp false for attention-only models, which have no {@code m} nodes
     * @param parallelAttnMlp true when attention and MLP read the same stream (GPT-NeoX), so heads of layer L do not
     *     feed {@code m{L}}
     */
    public ComputationGraph(int nLayers, int nHeads, boolean hasMlp, boolean parallelAttnMlp, int dModel) {
        if (nLayers < 1 || nHeads < 1) {
            throw new IllegalArgumentException("a graph needs at least one layer and one head, got " + nLayers
                    + " layers and " + nHeads + " heads");
        }
        this.nLayers = nLayers;
        this.nHeads = nHeads;
        this.hasMlp = hasMlp;
        this.parallelAttnMlp = parallelAttnMlp;
        this.dModel = dModel;
        this.dag = new DirectedAcyclicGraph<>(null, null, false, true);
        this.input = GraphNode.input();
        this.logits = GraphNode.logits(nLayers);
        List<GraphNode> order = new ArrayList<>();
        order.add(input);
        for (int l = 0; l < nLayers; l++) {
            for (int h = 0; h < nHeads; h++) {
                order.add(GraphNode.head(l, h));
            }
            if (hasMlp) {
                order.add(GraphNode.mlp(l));
            }
        }
        order.add(logits);
        this.nodes = List.copyOf(order);
        nodes.forEach(dag::addVertex);
        this.edges = Collections.unmodifiableList(buildEdges());
    }

    /** MIB order: for each reading block in forward order, for each writer in forward order, each reader in it. */
    private List<GraphEdge> buildEdges() {
        List<GraphEdge> out = new ArrayList<>();
        for (int l = 0; l <= nLayers; l++) {
            if (l < nLayers) {
                List<GraphNode> heads = new ArrayList<>();
                for (int h = 0; h < nHeads; h++) {
                    heads.add(GraphNode.head(l, h));
                }
                for (GraphNode writer : writersBefore(l, false)) {
                    for (GraphNode head : heads) {
                        for (GraphEdge.Input in : new GraphEdge.Input[] {GraphEdge.Input.Q, GraphEdge.Input.K,
                                GraphEdge.Input.V}) {
                            add(out, writer, head, in);
                        }
                    }
                }
                if (hasMlp) {
                    for (GraphNode writer : writersBefore(l, !parallelAttnMlp)) {
                        add(out, writer, GraphNode.mlp(l), GraphEdge.Input.NONE);
                    }
                }
            } else {
                for (GraphNode writer : writersBefore(nLayers, false)) {
                    add(out, writer, logits, GraphEdge.Input.NONE);
                }
            }
        }
        return out;
    }

    private void add(List<GraphEdge> out, GraphNode parent, GraphNode child, GraphEdge.Input in) {
        GraphEdge e = new GraphEdge(parent, child, in, out.size());
        out.add(e);
        byName.put(e.name(), e);
        dag.addEdge(parent, child, e);
    }

    /** Writers before layer l's attention, plus that layer's heads when {@code withLayerHeads}. */
    private List<GraphNode> writersBefore(int layer, boolean withLayerHeads) {
        List<GraphNode> out = new ArrayList<>();
        out.add(input);
        for (int l = 0; l < layer; l++) {
            for (int h = 0; h < nHeads; h++) {
                out.add(GraphNode.head(l, h));
            }
            if (hasMlp) {
                out.add(GraphNode.mlp(l));
            }
        }
        if (withLayerHeads) {
            for (int h = 0; h < nHeads; h++) {
                out.add(GraphNode.head(layer, h));
            }
        }
        return out;
    }

    public int nLayers() {
        return nLayers;
    }

    public int nHeads() {
        return nHeads;
    }

    public boolean hasMlp() {
        return hasMlp;
    }

    public boolean parallelAttnMlp() {
        return parallelAttnMlp;
    }

    public int dModel() {
        return dModel;
    }

    /** Every node in forward (topological) order: input, then each layer's heads and MLP, then logits. */
    public List<GraphNode> nodes() {
        return nodes;
    }

    /** Every edge in canonical MIB order; {@code edges().get(i).index() == i}. */
    public List<GraphEdge> edges() {
        return edges;
    }

    public int edgeCount() {
        return edges.size();
    }

    /** The edge with this MIB name, e.g. {@code a0.h1->a1.h3<k>}, or null. */
    public GraphEdge edge(String name) {
        return byName.get(name);
    }

    public GraphNode inputNode() {
        return input;
    }

    public GraphNode logitsNode() {
        return logits;
    }

    /** The JGraphT graph itself, read-only by convention. */
    public DirectedAcyclicGraph<GraphNode, GraphEdge> dag() {
        return dag;
    }

    /** Every edge set. */
    public BitSet allEdges() {
        BitSet all = new BitSet(edges.size());
        all.set(0, edges.size());
        return all;
    }

    /**
     * The edges of {@code circuit} that lie on some path from {@code input} to {@code logits} within the circuit:
     * a node that cannot be reached from the input, or cannot reach the logits, is removed with all its edges.
     */
    public BitSet prune(BitSet circuit) {
        DirectedAcyclicGraph<GraphNode, GraphEdge> sub = subgraph(circuit);
        Set<GraphNode> kept = new HashSet<>(sub.getDescendants(input));
        kept.add(input);
        Set<GraphNode> reachesLogits = new HashSet<>(sub.getAncestors(logits));
        reachesLogits.add(logits);
        kept.retainAll(reachesLogits);
        BitSet out = new BitSet(edges.size());
        for (int i = circuit.nextSetBit(0); i >= 0; i = circuit.nextSetBit(i + 1)) {
            GraphEdge e = edges.get(i);
            if (kept.contains(e.parent()) && kept.contains(e.child())) {
                out.set(i);
            }
        }
        return out;
    }

    /** The nodes that some edge of {@code circuit} touches, in forward order. */
    public List<GraphNode> nodesOf(BitSet circuit) {
        Set<GraphNode> touched = new HashSet<>();
        for (int i = circuit.nextSetBit(0); i >= 0; i = circuit.nextSetBit(i + 1)) {
            touched.add(edges.get(i).parent());
            touched.add(edges.get(i).child());
        }
        return nodes.stream().filter(touched::contains).toList();
    }

    /** A JGraphT DAG holding every node and only the edges of {@code circuit}. */
    public DirectedAcyclicGraph<GraphNode, GraphEdge> subgraph(BitSet circuit) {
        DirectedAcyclicGraph<GraphNode, GraphEdge> sub = new DirectedAcyclicGraph<>(null, null, false, true);
        nodes.forEach(sub::addVertex);
        for (int i = circuit.nextSetBit(0); i >= 0; i = circuit.nextSetBit(i + 1)) {
            GraphEdge e = edges.get(i);
            sub.addEdge(e.parent(), e.child(), e);
        }
        return sub;
    }
}
