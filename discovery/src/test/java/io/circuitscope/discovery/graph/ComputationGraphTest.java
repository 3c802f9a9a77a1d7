package io.circuitscope.discovery.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComputationGraphTest {
    @Test
    void gpt2SmallHasMibsEdgeCountAndOrder() {
        ComputationGraph g = new ComputationGraph(12, 12, true, false, 768);
        assertEquals(32491, g.edgeCount());
        assertEquals("input->a0.h0<q>", g.edges().get(0).name());
        assertEquals("input->m0", g.edges().get(36).name());
        assertEquals("a0.h9->a1.h3<v>", g.edges().get(420).name());
        assertEquals("m11->logits", g.edges().get(32490).name());
        assertEquals(1 + 12 * 13 + 1, g.nodes().size());
    }

    @Test
    void attentionOnlyGraphsHaveNoMlpNodesAndHeadsOfALayerDoNotFeedEachOther() {
        ComputationGraph g = new ComputationGraph(2, 4, false, false, 8);
        assertEquals(12 + 12 * 5 + 9, g.edgeCount());
        assertTrue(g.nodes().stream().noneMatch(n -> n.kind() == GraphNode.Kind.MLP));
        assertNull(g.edge("a0.h0->a0.h1<q>"));
        assertNotNull(g.edge("a0.h0->a1.h1<k>"));
    }

    @Test
    void describesItsShapeAndRefusesAnEmptyOne() {
        ComputationGraph g = new ComputationGraph(3, 2, true, true, 24);
        assertEquals(3, g.nLayers());
        assertEquals(2, g.nHeads());
        assertTrue(g.hasMlp());
        assertTrue(g.parallelAttnMlp());
        assertEquals(24, g.dModel());
        assertEquals(g.edgeCount(), g.allEdges().cardinality());
        assertTrue(g.prune(new BitSet()).isEmpty());
        assertEquals("a1.h0->m2", g.edge("a1.h0->m2").toString());
        assertEquals("m1", GraphNode.mlp(1).toString());
        assertFalse(new ComputationGraph(1, 1, false, false, 4).hasMlp());
        assertFalse(new ComputationGraph(1, 1, false, false, 4).parallelAttnMlp());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ComputationGraph(0, 1, false, false, 4));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ComputationGraph(1, 0, false, false, 4));
    }

    @Test
    void sequentialBlocksFeedTheirOwnMlpAndParallelOnesDoNot() {
        assertNotNull(new ComputationGraph(1, 2, true, false, 8).edge("a0.h1->m0"));
        assertNull(new ComputationGraph(1, 2, true, true, 8).edge("a0.h1->m0"));
    }

    @Test
    void pruningKeepsOnlyEdgesOnAPathFromInputToLogits() {
        ComputationGraph g = new ComputationGraph(2, 2, false, false, 8);
        BitSet c = new BitSet();
        for (String name : List.of("input->a0.h0<v>", "a0.h0->a1.h1<k>", "a1.h1->logits",
                "input->a0.h1<q>", "a1.h0->logits", "a0.h1->a1.h0<v>")) {
            c.set(g.edge(name).index());
        }
        BitSet pruned = g.prune(c);
        // a0.h1 reads only its query; a path exists input -> a0.h1 -> a1.h0 -> logits, so it stays too.
        assertEquals(c, pruned);
        c.clear(g.edge("input->a0.h1<q>").index());
        pruned = g.prune(c);
        assertFalse(pruned.get(g.edge("a0.h1->a1.h0<v>").index()));
        assertFalse(pruned.get(g.edge("a1.h0->logits").index()));
        assertTrue(pruned.get(g.edge("a0.h0->a1.h1<k>").index()));
        assertEquals(3, pruned.cardinality());
        assertEquals(List.of(g.inputNode(), GraphNode.head(0, 0), GraphNode.head(1, 1), g.logitsNode()),
                g.nodesOf(pruned));
    }
}
