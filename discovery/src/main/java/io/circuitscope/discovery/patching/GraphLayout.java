package io.circuitscope.discovery.patching;

import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.graph.GraphEdge;
import io.circuitscope.discovery.graph.GraphNode;

/**
 * Numbers the graph's writers (senders) and reader inputs (receivers) so that each layer's are contiguous: senders
 * are {@code input}, then per layer its heads and its MLP; receivers are per layer its heads' q inputs, k inputs, v
 * inputs and its MLP, then {@code logits}. A circuit is then a receiver × sender mask.
 */
final class GraphLayout {
    final int layers;
    final int heads;
    final int mlp;
    /** True when each MLP reads the stream its layer's attention reads (the graph has no edges from those heads). */
    final boolean parallel;
    final int senders;
    final int receivers;
    final int[] edgeSender;
    final int[] edgeReceiver;

    GraphLayout(ComputationGraph graph) {
        layers = graph.nLayers();
        parallel = graph.parallelAttnMlp();
        heads = graph.nHeads();
        mlp = graph.hasMlp() ? 1 : 0;
        senders = 1 + layers * (heads + mlp);
        receivers = layers * (3 * heads + mlp) + 1;
        edgeSender = new int[graph.edgeCount()];
        edgeReceiver = new int[graph.edgeCount()];
        for (GraphEdge e : graph.edges()) {
            edgeSender[e.index()] = sender(e.parent());
            edgeReceiver[e.index()] = receiver(e.child(), e.input());
        }
    }

    int sender(GraphNode n) {
        return switch (n.kind()) {
            case INPUT -> 0;
            case HEAD -> firstSender(n.layer()) + n.head();
            case MLP -> firstSender(n.layer()) + heads;
            case LOGITS -> throw new IllegalArgumentException("logits write nothing");
        };
    }

    int receiver(GraphNode n, GraphEdge.Input input) {
        return switch (n.kind()) {
            case HEAD -> firstReceiver(n.layer()) + input.ordinal() * heads + n.head();
            case MLP -> firstReceiver(n.layer()) + 3 * heads;
            case LOGITS -> receivers - 1;
            case INPUT -> throw new IllegalArgumentException("the input reads nothing");
        };
    }

    /** The first sender written by layer l (its head 0); {@code firstSender(layers) == senders}. */
    int firstSender(int l) {
        return 1 + l * (heads + mlp);
    }

    /** The first receiver read in layer l (head 0's q input); {@code firstReceiver(layers)} is logits. */
    int firstReceiver(int l) {
        return l * (3 * heads + mlp);
    }

    /** The layer a receiver reads in; logits count as layer n_layers. */
    int receiverLayer(int r) {
        return r == receivers - 1 ? layers : r / (3 * heads + mlp);
    }

    /** The layer that writes sender s; the input counts as layer -1. */
    int senderLayer(int s) {
        return s == 0 ? -1 : (s - 1) / (heads + mlp);
    }
}
