package io.circuitscope.discovery.graph;

/**
 * A node of the computation graph, named as EAP-IG and MIB name it: {@code input}, {@code a{L}.h{H}}, {@code m{L}}
 * or {@code logits}.
 *
 * @param layer the node's layer; -1 for input and n_layers for logits
 * @param head the head index of an attention node, -1 otherwise
 */
public record GraphNode(Kind kind, int layer, int head) {
    /** What a node computes. */
    public enum Kind { INPUT, HEAD, MLP, LOGITS }

    public static GraphNode input() {
        return new GraphNode(Kind.INPUT, -1, -1);
    }

    public static GraphNode head(int layer, int head) {
        return new GraphNode(Kind.HEAD, layer, head);
    }

    public static GraphNode mlp(int layer) {
        return new GraphNode(Kind.MLP, layer, -1);
    }

    public static GraphNode logits(int nLayers) {
        return new GraphNode(Kind.LOGITS, nLayers, -1);
    }

    /** The MIB name. */
    public String name() {
        return switch (kind) {
            case INPUT -> "input";
            case HEAD -> "a" + layer + ".h" + head;
            case MLP -> "m" + layer;
            case LOGITS -> "logits";
        };
    }

    @Override
    public String toString() {
        return name();
    }
}
