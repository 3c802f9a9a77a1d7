package io.circuitscope.discovery.io;

import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.graph.GraphEdge;
import io.circuitscope.discovery.graph.GraphNode;
import java.io.StringWriter;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jgrapht.graph.DirectedAcyclicGraph;
import org.jgrapht.nio.Attribute;
import org.jgrapht.nio.AttributeType;
import org.jgrapht.nio.DefaultAttribute;
import org.jgrapht.nio.dot.DOTExporter;
import org.jgrapht.nio.graphml.GraphMLExporter;

/** A circuit as Graphviz DOT (its edges only, coloured by q/k/v) and as GraphML (every edge, scores as attributes). */
public final class CircuitGraphFiles {
    private CircuitGraphFiles() {
    }

    /** DOT of the circuit's nodes and edges, with quoted ids, each edge labelled with its input and score. */
    public static String dot(ComputationGraph graph, BitSet circuit, double[] scores) {
        DirectedAcyclicGraph<GraphNode, GraphEdge> sub = new DirectedAcyclicGraph<>(null, null, false, true);
        graph.nodesOf(circuit).forEach(sub::addVertex);
        for (int i = circuit.nextSetBit(0); i >= 0; i = circuit.nextSetBit(i + 1)) {
            GraphEdge e = graph.edges().get(i);
            sub.addEdge(e.parent(), e.child(), e);
        }
        DOTExporter<GraphNode, GraphEdge> exporter = new DOTExporter<>(n -> "\"" + n.name() + "\"");
        exporter.setGraphAttributeProvider(() -> Map.of("rankdir", DefaultAttribute.createAttribute("TB")));
        exporter.setVertexAttributeProvider(n -> Map.of("label", DefaultAttribute.createAttribute(n.name())));
        exporter.setEdgeAttributeProvider(e -> {
            Map<String, Attribute> a = new LinkedHashMap<>();
            a.put("color", DefaultAttribute.createAttribute(colour(e.input())));
            a.put("label", DefaultAttribute.createAttribute(String.format(Locale.ROOT, "%s%.4g",
                    e.input() == GraphEdge.Input.NONE ? "" : e.input().name().toLowerCase(Locale.ROOT) + " ",
                    scores[e.index()])));
            return a;
        });
        StringWriter out = new StringWriter();
        exporter.exportGraph(sub, out);
        return out.toString();
    }

    /**
     * GraphML of the whole graph: node {@code node_in_graph}; edge {@code input}, {@code score} and {@code in_graph}
     * (JGraphT keys attributes by name alone, so the node's flag needs a name of its own).
     */
    public static String graphMl(ComputationGraph graph, BitSet circuit, double[] scores) {
        java.util.Set<GraphNode> nodes = new java.util.HashSet<>(graph.nodesOf(circuit));
        GraphMLExporter<GraphNode, GraphEdge> exporter = new GraphMLExporter<>(GraphNode::name);
        exporter.setEdgeIdProvider(GraphEdge::name);
        exporter.registerAttribute("node_in_graph", GraphMLExporter.AttributeCategory.NODE, AttributeType.BOOLEAN);
        exporter.registerAttribute("score", GraphMLExporter.AttributeCategory.EDGE, AttributeType.DOUBLE);
        exporter.registerAttribute("input", GraphMLExporter.AttributeCategory.EDGE, AttributeType.STRING);
        exporter.registerAttribute("in_graph", GraphMLExporter.AttributeCategory.EDGE, AttributeType.BOOLEAN);
        exporter.setVertexAttributeProvider(n -> Map.of("node_in_graph",
                DefaultAttribute.createAttribute(nodes.contains(n))));
        exporter.setEdgeAttributeProvider(e -> {
            Map<String, Attribute> a = new LinkedHashMap<>();
            a.put("score", DefaultAttribute.createAttribute(scores[e.index()]));
            a.put("input", DefaultAttribute.createAttribute(e.input().name().toLowerCase(Locale.ROOT)));
            a.put("in_graph", DefaultAttribute.createAttribute(circuit.get(e.index())));
            return a;
        });
        StringWriter out = new StringWriter();
        exporter.exportGraph(graph.dag(), out);
        return out.toString();
    }

    private static String colour(GraphEdge.Input input) {
        return switch (input) {
            case Q -> "#1f77b4";
            case K -> "#2ca02c";
            case V -> "#d62728";
            case NONE -> "#555555";
        };
    }
}
