package io.circuitscope.wiki.render;

import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.graph.GraphEdge;
import io.circuitscope.discovery.graph.GraphNode;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A circuit laid out in layers for an inline SVG: the input at the top, each layer's heads (then its MLP) on a row
 * below, the logits at the bottom. Heads keep their column in every row, so a head is always in the same place;
 * nodes are named with their head labels ("a1.h3 · induction") and edges are coloured by the input they feed.
 */
record CircuitDrawing(int width, int height, List<Node> nodes, List<Edge> edges, List<Legend> legend,
                      boolean empty) {
    static final double CHAR_W = 6.7;
    static final int NODE_H = 22;
    static final int ROW_H = 78;
    static final int TOP = 24;

    /** A node's box and its name. */
    record Node(double x, double y, double w, int h, String text, String href, boolean head, double textX,
                double textY, String tooltip) {
    }

    /** One edge as a cubic curve. */
    record Edge(String path, String color, String width, String dash, String tooltip) {
    }

    /** One line of the colour legend. */
    record Legend(double x, double y, String color, String text, double textX) {
    }

    static final Map<GraphEdge.Input, String> COLORS = Map.of(GraphEdge.Input.Q, "#2b6cb0",
            GraphEdge.Input.K, "#c05621", GraphEdge.Input.V, "#2f855a", GraphEdge.Input.NONE, "#718096");

    /**
     * @param labels the head-class labels of a node, or an empty string
     */
    static CircuitDrawing of(ComputationGraph graph, BitSet circuit, double[] scores,
                             Function<GraphNode, String> labels) {
        List<GraphNode> drawn = graph.nodesOf(circuit);
        Map<GraphNode, String> text = new HashMap<>();
        double widest = 60;
        for (GraphNode n : drawn) {
            String l = labels.apply(n);
            String t = l.isEmpty() ? n.name() : n.name() + " \u00b7 " + l;
            text.put(n, t);
            widest = Math.max(widest, t.length() * CHAR_W + 14);
        }
        double column = widest + 14;
        int heads = graph.nHeads();
        double width = Math.max(column * heads + 20, 420);
        int rowsPerLayer = graph.hasMlp() ? 2 : 1;
        int rows = 2 + graph.nLayers() * rowsPerLayer;
        Map<GraphNode, Node> placed = new HashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (GraphNode n : drawn) {
            int row = switch (n.kind()) {
                case INPUT -> 0;
                case HEAD -> 1 + n.layer() * rowsPerLayer;
                case MLP -> 2 + n.layer() * rowsPerLayer;
                case LOGITS -> rows - 1;
            };
            String t = text.get(n);
            double w = t.length() * CHAR_W + 14;
            double cx = n.kind() == GraphNode.Kind.HEAD ? 10 + column * (n.head() + 0.5) : width / 2;
            double y = TOP + row * ROW_H;
            boolean head = n.kind() == GraphNode.Kind.HEAD;
            Node node = new Node(cx - w / 2, y, w, NODE_H, t, head ? HeadPages.fileName(n.layer(), n.head()) : null,
                    head, cx, y + NODE_H / 2.0 + 4, t);
            placed.put(n, node);
            nodes.add(node);
        }
        double maxScore = 0;
        for (int e = circuit.nextSetBit(0); e >= 0; e = circuit.nextSetBit(e + 1)) {
            maxScore = Math.max(maxScore, Math.abs(scores[e]));
        }
        List<Edge> edges = new ArrayList<>();
        for (int e = circuit.nextSetBit(0); e >= 0; e = circuit.nextSetBit(e + 1)) {
            GraphEdge g = graph.edges().get(e);
            Node from = placed.get(g.parent());
            Node to = placed.get(g.child());
            double x1 = from.textX();
            double y1 = from.y() + from.h();
            double x2 = to.textX() + switch (g.input()) {
                case Q -> -Math.min(16, to.w() / 4);
                case V -> Math.min(16, to.w() / 4);
                default -> 0;
            };
            double y2 = to.y();
            double bend = Math.max(24, (y2 - y1) / 2);
            String path = String.format(Locale.ROOT, "M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f", x1, y1, x1,
                    y1 + bend, x2, y2 - bend, x2, y2);
            double strength = maxScore > 0 ? Math.abs(scores[e]) / maxScore : 0;
            edges.add(new Edge(path, COLORS.get(g.input()), Decimal.of(1.2 + 2.3 * strength, 2),
                    scores[e] < 0 ? "4 3" : null, g.name() + "  score " + Decimal.of(scores[e], 4)));
        }
        List<Legend> legend = new ArrayList<>();
        String[] names = {"query input", "key input", "value input", "MLP / logits input"};
        GraphEdge.Input[] inputs = {GraphEdge.Input.Q, GraphEdge.Input.K, GraphEdge.Input.V, GraphEdge.Input.NONE};
        double ly = TOP + rows * ROW_H - 20;
        for (int i = 0; i < inputs.length; i++) {
            double lx = 10 + i * 150;
            legend.add(new Legend(lx, ly, COLORS.get(inputs[i]), names[i], lx + 26));
        }
        return new CircuitDrawing((int) Math.ceil(width), (int) (ly + 16), nodes, edges, legend, drawn.isEmpty());
    }
}
