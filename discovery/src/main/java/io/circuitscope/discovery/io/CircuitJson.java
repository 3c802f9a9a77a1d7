package io.circuitscope.discovery.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.circuitscope.discovery.eval.FaithfulnessCurve;
import io.circuitscope.discovery.eval.ReferenceComparison;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.graph.GraphEdge;
import io.circuitscope.discovery.graph.GraphNode;
import io.circuitscope.discovery.method.DiscoveryResult;
import io.circuitscope.discovery.method.DiscoverySettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Circuits in the MIB / EAP-IG JSON format: {@code cfg}, {@code nodes} ({@code in_graph}) and {@code edges}
 * ({@code score}, {@code in_graph}) in the graph's canonical order, plus a {@code circuitscope} block with the method,
 * settings and faithfulness. Nothing time-dependent is written, so the same seed gives the same bytes.
 */
public final class CircuitJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private CircuitJson() {
    }

    /** A circuit read from a file: its graph, each edge's score and which edges are in the circuit. */
    public record Circuit(ComputationGraph graph, double[] scores, BitSet inGraph) {
    }

    /** The provenance every circuit file carries: the model it came from, the seed and the program's version. */
    public static Map<String, Object> provenance(String model, long seed, String version) {
        Map<String, Object> p = new java.util.LinkedHashMap<>();
        p.put("model", model);
        p.put("seed", seed);
        p.put("version", version);
        return p;
    }

    /** The JSON text of a discovery result; {@code provenance} (model, seed, ...) goes into the circuitscope block. */
    public static byte[] toJson(DiscoveryResult r, Map<String, Object> provenance) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(bytes)) {
            g.useDefaultPrettyPrinter();
            ComputationGraph graph = r.graph();
            g.writeStartObject();
            g.writeObjectFieldStart("cfg");
            g.writeNumberField("n_layers", graph.nLayers());
            g.writeNumberField("n_heads", graph.nHeads());
            g.writeBooleanField("parallel_attn_mlp", graph.parallelAttnMlp());
            g.writeNumberField("d_model", graph.dModel());
            g.writeEndObject();
            Set<GraphNode> inGraph = new HashSet<>(graph.nodesOf(r.circuit()));
            g.writeObjectFieldStart("nodes");
            for (GraphNode n : graph.nodes()) {
                g.writeObjectFieldStart(n.name());
                g.writeBooleanField("in_graph", inGraph.contains(n));
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeObjectFieldStart("edges");
            for (GraphEdge e : graph.edges()) {
                g.writeObjectFieldStart(e.name());
                number(g, "score", r.scores()[e.index()]);
                g.writeBooleanField("in_graph", r.circuit().get(e.index()));
                g.writeEndObject();
            }
            g.writeEndObject();
            writeProvenance(g, r, provenance);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        bytes.write('\n');
        return bytes.toByteArray();
    }

    private static void writeProvenance(JsonGenerator g, DiscoveryResult r, Map<String, Object> provenance)
            throws IOException {
        DiscoverySettings s = r.settings();
        g.writeObjectFieldStart("circuitscope");
        for (Map.Entry<String, Object> p : new java.util.TreeMap<>(provenance).entrySet()) {
            g.writeStringField(p.getKey(), String.valueOf(p.getValue()));
        }
        g.writeStringField("task", r.task());
        g.writeNumberField("examples", r.examples());
        g.writeStringField("method", s.method().id());
        g.writeStringField("metric", s.metric().id());
        g.writeStringField("metric_direction", "minimised");
        g.writeStringField("ablation", s.ablation().id());
        g.writeStringField("ranking", s.absoluteRanking() ? "absolute" : "signed");
        number(g, "threshold", r.threshold());
        g.writeObjectFieldStart("settings");
        g.writeBooleanField("absolute_delta", s.absoluteDelta());
        g.writeNumberField("ig_steps", s.igSteps());
        g.writeNumberField("top_k", s.topK());
        g.writeNumberField("target_faithfulness", s.targetFaithfulness());
        g.writeEndObject();
        number(g, "metric_full", r.metricFull());
        number(g, "metric_empty", r.metricEmpty());
        number(g, "metric_circuit", r.metricCircuit());
        number(g, "faithfulness", r.faithfulness());
        g.writeNumberField("edges_in_graph", r.circuit().cardinality());
        g.writeNumberField("edges_total", r.graph().edgeCount());
        FaithfulnessCurve curve = r.curve();
        g.writeArrayFieldStart("curve");
        for (FaithfulnessCurve.Point p : curve.points()) {
            g.writeStartObject();
            g.writeNumberField("budget", p.budget());
            g.writeNumberField("edges", p.edges());
            number(g, "faithfulness", p.faithfulness());
            g.writeEndObject();
        }
        g.writeEndArray();
        number(g, "cpr", curve.cpr());
        number(g, "cmd", curve.cmd());
        ReferenceComparison ref = r.reference();
        if (ref != null) {
            g.writeObjectFieldStart("reference");
            number(g, "roc_auc", ref.rocAuc());
            number(g, "precision", ref.precision());
            number(g, "recall", ref.recall());
            g.writeNumberField("reference_edges", ref.referenceEdges());
            g.writeNumberField("shared_edges", ref.sharedEdges());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** JSON has no NaN; an undefined number is written as null. */
    private static void number(JsonGenerator g, String name, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumberField(name, v);
        } else {
            g.writeNullField(name);
        }
    }

    /**
     * Reads a circuit file written by circuitscope or by the Python tools (EAP-IG, MIB).
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static Circuit read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.newInputStream(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new IllegalArgumentException(file + " is not valid JSON" + (at == null ? "" : " (line "
                    + at.getLineNr() + ", column " + at.getColumnNr() + ")") + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read circuit " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.path("cfg").isObject() || !root.path("edges").isObject()) {
            throw new IllegalArgumentException(file + " is not a circuit file: it needs \"cfg\" and \"edges\" objects");
        }
        JsonNode cfg = root.get("cfg");
        for (String field : new String[] {"n_layers", "n_heads"}) {
            if (!cfg.path(field).canConvertToInt() || cfg.path(field).asInt() < 1) {
                throw new IllegalArgumentException(file + ": cfg." + field + " must be a positive integer");
            }
        }
        boolean hasMlp = false;
        for (Iterator<String> it = root.path("nodes").fieldNames(); it.hasNext(); ) {
            hasMlp |= it.next().matches("m\\d+");
        }
        for (Iterator<String> it = root.get("edges").fieldNames(); it.hasNext() && !hasMlp; ) {
            hasMlp = it.next().matches(".*(^|->)m\\d+(->|$).*");
        }
        ComputationGraph graph = new ComputationGraph(cfg.get("n_layers").asInt(), cfg.get("n_heads").asInt(), hasMlp,
                cfg.path("parallel_attn_mlp").asBoolean(false), cfg.path("d_model").asInt(0));
        double[] scores = new double[graph.edgeCount()];
        BitSet inGraph = new BitSet();
        int seen = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("edges").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            GraphEdge e = graph.edge(entry.getKey());
            if (e == null) {
                throw new IllegalArgumentException(file + ": edge '" + entry.getKey() + "' is not an edge of a "
                        + graph.nLayers() + "-layer, " + graph.nHeads() + "-head graph");
            }
            JsonNode score = entry.getValue().path("score");
            scores[e.index()] = score.isNumber() ? score.asDouble() : 0.0;
            if (entry.getValue().path("in_graph").asBoolean(false)) {
                inGraph.set(e.index());
            }
            seen++;
        }
        if (seen != graph.edgeCount()) {
            throw new IllegalArgumentException(file + " lists " + seen + " edges; its graph has " + graph.edgeCount());
        }
        return new Circuit(graph, scores, inGraph);
    }
}
