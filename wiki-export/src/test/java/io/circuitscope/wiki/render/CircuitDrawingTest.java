package io.circuitscope.wiki.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.graph.GraphNode;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CircuitDrawingTest {
    /** Two layers of two heads with MLPs. */
    private final ComputationGraph graph = new ComputationGraph(2, 2, true, false, 8);

    private BitSet circuit(String... names) {
        BitSet b = new BitSet();
        for (String n : names) {
            b.set(graph.edge(n).index());
        }
        return b;
    }

    @Test
    void nodesSitInLayerRowsAndHeadColumnsNamedWithTheirLabels() {
        BitSet c = circuit("input->a0.h1<v>", "a0.h1->a1.h0<k>", "a1.h0->logits", "input->m0", "m0->logits");
        double[] scores = new double[graph.edgeCount()];
        scores[graph.edge("a0.h1->a1.h0<k>").index()] = 2;
        scores[graph.edge("a1.h0->logits").index()] = -1;
        Map<GraphNode, String> labels = Map.of(GraphNode.head(1, 0), "induction", GraphNode.head(0, 1),
                "previous-token");
        CircuitDrawing d = CircuitDrawing.of(graph, c, scores, n -> labels.getOrDefault(n, ""));
        List<String> texts = d.nodes().stream().map(CircuitDrawing.Node::text).toList();
        assertEquals(List.of("input", "a0.h1 \u00b7 previous-token", "m0", "a1.h0 \u00b7 induction", "logits"), texts);
        CircuitDrawing.Node input = d.nodes().get(0);
        CircuitDrawing.Node a01 = d.nodes().get(1);
        CircuitDrawing.Node m0 = d.nodes().get(2);
        CircuitDrawing.Node a10 = d.nodes().get(3);
        CircuitDrawing.Node logits = d.nodes().get(4);
        assertEquals(CircuitDrawing.TOP, input.y());
        assertEquals(CircuitDrawing.TOP + CircuitDrawing.ROW_H, a01.y());
        assertEquals(CircuitDrawing.TOP + 2 * CircuitDrawing.ROW_H, m0.y());
        assertEquals(CircuitDrawing.TOP + 3 * CircuitDrawing.ROW_H, a10.y());
        assertEquals(CircuitDrawing.TOP + 5 * CircuitDrawing.ROW_H, logits.y());
        assertTrue(a10.textX() < a01.textX(), "head 0 sits left of head 1 in every layer");
        assertEquals(d.width() / 2.0, input.textX(), 1);
        assertEquals("heads/L1H0.html", a10.href());
        assertNull(m0.href());
        double textWidth = a01.text().length() * CircuitDrawing.CHAR_W + 14;
        assertEquals(textWidth, a01.w(), 1e-9);
        assertTrue(a10.textX() + a10.w() / 2 <= a01.textX() - a01.w() / 2 + 1e-9, "labelled nodes do not overlap");

        assertEquals(5, d.edges().size());
        CircuitDrawing.Edge k = d.edges().stream().filter(e -> e.tooltip().startsWith("a0.h1->a1.h0<k>"))
                .findFirst().orElseThrow();
        assertEquals("#c05621", k.color());
        assertEquals("3.50", k.width(), "the strongest edge is drawn widest");
        assertNull(k.dash());
        assertTrue(k.path().endsWith(String.format(java.util.Locale.ROOT, "%.1f %.1f", a10.textX(), a10.y())),
                "a k edge meets its head in the middle: " + k.path());
        CircuitDrawing.Edge v = d.edges().stream().filter(e -> e.tooltip().startsWith("input->a0.h1<v>"))
                .findFirst().orElseThrow();
        assertEquals("#2f855a", v.color());
        assertEquals("1.20", v.width());
        assertTrue(v.path().endsWith(String.format(java.util.Locale.ROOT, "%.1f %.1f", a01.textX() + 16, a01.y())),
                v.path());
        CircuitDrawing.Edge out = d.edges().stream().filter(e -> e.tooltip().startsWith("a1.h0->logits"))
                .findFirst().orElseThrow();
        assertEquals("4 3", out.dash(), "a negative score is dashed");
        assertEquals("#718096", out.color());
        assertEquals("a1.h0->logits  score -1.0000", out.tooltip());
        assertEquals(4, d.legend().size());
    }

    @Test
    void aQueryEdgeEntersLeftOfCentreAndAnEmptyCircuitSaysSo() {
        CircuitDrawing d = CircuitDrawing.of(graph, circuit("input->a1.h1<q>"), new double[graph.edgeCount()],
                n -> "");
        CircuitDrawing.Node head = d.nodes().get(1);
        assertTrue(d.edges().get(0).path().endsWith(String.format(java.util.Locale.ROOT, "%.1f %.1f",
                head.textX() - Math.min(16, head.w() / 4), head.y())), d.edges().get(0).path());
        assertEquals("#2b6cb0", d.edges().get(0).color());
        assertEquals(false, d.empty());
        CircuitDrawing none = CircuitDrawing.of(graph, new BitSet(), new double[graph.edgeCount()], n -> "");
        assertTrue(none.empty());
        assertTrue(none.nodes().isEmpty());
    }

    @Test
    void exactGeometryOfAWideGraph() {
        ComputationGraph wide = new ComputationGraph(2, 4, true, false, 8);
        BitSet c = new BitSet();
        c.set(0);                                           // input->a0.h0<q>, the first edge of the graph
        c.set(wide.edge("a0.h0->logits").index());
        c.set(wide.edge("input->a0.h3<v>").index());
        c.set(wide.edge("a0.h3->logits").index());
        double[] scores = new double[wide.edgeCount()];
        scores[0] = 4;
        scores[wide.edge("a0.h0->logits").index()] = 0;
        scores[wide.edge("input->a0.h3<v>").index()] = 2;
        CircuitDrawing d = CircuitDrawing.of(wide, c, scores, n -> n.equals(GraphNode.head(0, 3)) ? "previous-token"
                : "");
        assertEquals("input->a0.h0<q>", wide.edges().get(0).name());
        double widest = "a0.h3 \u00b7 previous-token".length() * CircuitDrawing.CHAR_W + 14;
        double column = widest + 14;
        assertEquals((int) Math.ceil(column * 4 + 20), d.width());
        CircuitDrawing.Node h3 = d.nodes().stream().filter(n -> n.text().startsWith("a0.h3")).findFirst()
                .orElseThrow();
        assertEquals(10 + column * 3.5, h3.textX(), 1e-9);
        assertEquals(10 + column * 3.5 - h3.w() / 2, h3.x(), 1e-9);
        assertEquals(h3.y() + CircuitDrawing.NODE_H / 2.0 + 4, h3.textY(), 1e-9);
        CircuitDrawing.Node input = d.nodes().get(0);
        assertEquals(d.width() / 2.0, input.textX(), 1, "input is centred");
        CircuitDrawing.Edge q = d.edges().get(0);
        assertEquals("3.50", q.width(), "the first edge is drawn and is the strongest");
        CircuitDrawing.Node h0 = d.nodes().get(1);
        double x1 = input.textX();
        double x2 = h0.textX() - Math.min(16, h0.w() / 4);
        assertEquals(String.format(java.util.Locale.ROOT, "M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f", x1, 46.0, x1,
                74.0, x2, 74.0, x2, 102.0), q.path(), "a bend of half the gap between rows");
        CircuitDrawing.Edge zero = d.edges().stream().filter(e -> e.tooltip().startsWith("a0.h0->logits"))
                .findFirst().orElseThrow();
        assertNull(zero.dash(), "a zero score is not drawn as negative");
        assertEquals("1.20", zero.width());
        CircuitDrawing.Edge v = d.edges().stream().filter(e -> e.tooltip().startsWith("input->a0.h3<v>"))
                .findFirst().orElseThrow();
        assertEquals("2.35", v.width(), "width grows with the share of the largest score");
        double ly = CircuitDrawing.TOP + 6 * CircuitDrawing.ROW_H - 20;
        assertEquals(new CircuitDrawing.Legend(160, ly, "#c05621", "key input", 186), d.legend().get(1));
        assertEquals((int) (ly + 16), d.height());
        CircuitDrawing flat = CircuitDrawing.of(wide, c, new double[wide.edgeCount()], n -> "");
        assertTrue(flat.edges().stream().allMatch(e -> e.width().equals("1.20")), "all-zero scores draw thin edges");
    }
}
