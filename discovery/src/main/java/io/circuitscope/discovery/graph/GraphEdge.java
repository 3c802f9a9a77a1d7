package io.circuitscope.discovery.graph;

/**
 * A directed edge from a node that writes to the residual stream to a later node that reads it; an attention head
 * reads separately for its queries, keys and values, so each of those is its own edge.
 *
 * @param index the edge's position in the graph's canonical (MIB) order
 */
public record GraphEdge(GraphNode parent, GraphNode child, Input input, int index) {
    /** Which input of the child the edge feeds. */
    public enum Input {
        Q, K, V, NONE;

        /** The MIB suffix, e.g. {@code <q>}, or nothing for an MLP or the logits. */
        String suffix() {
            return this == NONE ? "" : "<" + name().toLowerCase(java.util.Locale.ROOT) + ">";
        }
    }

    /** The MIB name, e.g. {@code a0.h1->a1.h3<k>} or {@code m2->logits}. */
    public String name() {
        return parent.name() + "->" + child.name() + input.suffix();
    }

    @Override
    public String toString() {
        return name();
    }
}
