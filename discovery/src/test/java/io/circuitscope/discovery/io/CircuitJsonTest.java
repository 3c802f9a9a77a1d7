package io.circuitscope.discovery.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.discovery.eval.FaithfulnessCurve;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.method.DiscoveryMethod;
import io.circuitscope.discovery.method.DiscoveryResult;
import io.circuitscope.discovery.method.DiscoverySettings;
import io.circuitscope.discovery.patching.MetricKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CircuitJsonTest {
    /**
     * EAP-IG's IOI circuit for GPT-2 small from the MIB circuit-track repository (shared/data beside this
     * repository), gzipped so that a clean clone carries it.
     */
    static final String MIB = "/mib-ioi-eap-ig-gpt2.json.gz";

    @Test
    void readsTheMibCircuitWrittenByEapIg(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mib.json");
        try (var in = new java.util.zip.GZIPInputStream(CircuitJsonTest.class.getResourceAsStream(MIB))) {
            Files.copy(in, file);
        }
        CircuitJson.Circuit c = CircuitJson.read(file);
        assertEquals(32491, c.graph().edgeCount());
        assertEquals(756, c.inGraph().cardinality());
        assertTrue(c.graph().hasMlp());
        assertEquals(-0.0002955848758574575, c.scores()[0], 0.0);
    }

    @Test
    void writesWhatItReadsAndTheSameResultGivesTheSameBytes(@TempDir Path dir) throws Exception {
        ComputationGraph g = new ComputationGraph(2, 2, true, false, 16);
        double[] scores = new double[g.edgeCount()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = Math.sin(i);
        }
        BitSet circuit = new BitSet();
        circuit.set(g.edge("input->a0.h1<k>").index());
        circuit.set(g.edge("a0.h1->logits").index());
        FaithfulnessCurve curve = FaithfulnessCurve.of(List.of(new FaithfulnessCurve.Point(0.5, 2, 0.5),
                new FaithfulnessCurve.Point(1, 9, 1)), true);
        DiscoveryResult r = new DiscoveryResult(g, DiscoverySettings.defaults(DiscoveryMethod.ACDC, MetricKind.KL),
                "induction", 4, scores, circuit, 0, 2, 0.1, 0.95, 0.02, curve, null);
        byte[] json = CircuitJson.toJson(r, Map.of("model", "m"));
        assertEquals(new String(json), new String(CircuitJson.toJson(r, Map.of("model", "m"))));
        Path f = dir.resolve("c.json");
        Files.write(f, json);
        CircuitJson.Circuit back = CircuitJson.read(f);
        assertEquals(circuit, back.inGraph());
        assertEquals(scores[7], back.scores()[7], 0.0);
        String text = new String(json);
        assertTrue(text.contains("\"faithfulness\" : 0.95"), text);
        assertTrue(text.contains("\"ranking\" : \"absolute\""));
        assertTrue(text.contains("\"cpr\" : 0.375"));
        assertTrue(text.contains("\"a0.h1\" : {\n      \"in_graph\" : true"));
    }

    @Test
    void theCircuitscopeBlockHoldsEverySettingAndFigure() throws Exception {
        ComputationGraph g = new ComputationGraph(1, 2, false, false, 8);
        double[] scores = new double[g.edgeCount()];
        BitSet circuit = new BitSet();
        circuit.set(g.edge("input->a0.h0<v>").index());
        circuit.set(g.edge("a0.h0->logits").index());
        FaithfulnessCurve curve = FaithfulnessCurve.of(List.of(new FaithfulnessCurve.Point(0.5, 1, Double.NaN),
                new FaithfulnessCurve.Point(1, 9, 1)), false);
        DiscoverySettings settings = new DiscoverySettings(DiscoveryMethod.EAP_IG, MetricKind.LOGIT_DIFF,
                io.circuitscope.discovery.patching.Ablation.MEAN, 0.25, true, false, 7, 33, 0.8);
        DiscoveryResult r = new DiscoveryResult(g, settings, "ioi", 12, scores, circuit, -3, -1, -2.5, 0.75, 0.25,
                curve, new io.circuitscope.discovery.eval.ReferenceComparison(0.9, 0.5, 0.25, 4, 2, 1));
        byte[] bytes = CircuitJson.toJson(r, Map.of("seed", 5L, "model", "zoo:x"));
        assertEquals('\n', bytes[bytes.length - 1]);
        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(bytes);
        assertEquals("{\"n_layers\":1,\"n_heads\":2,\"parallel_attn_mlp\":false,\"d_model\":8}",
                root.get("cfg").toString());
        assertTrue(root.get("nodes").get("a0.h0").get("in_graph").asBoolean());
        assertTrue(!root.get("nodes").get("a0.h1").get("in_graph").asBoolean());
        assertTrue(root.get("nodes").get("logits").get("in_graph").asBoolean());
        com.fasterxml.jackson.databind.JsonNode cs = root.get("circuitscope");
        assertEquals("{\"model\":\"zoo:x\",\"seed\":\"5\",\"task\":\"ioi\",\"examples\":12,"
                + "\"method\":\"eap-ig\",\"metric\":\"logit-diff\",\"metric_direction\":\"minimised\","
                + "\"ablation\":\"mean\",\"ranking\":\"signed\",\"threshold\":0.25,\"settings\":{"
                + "\"absolute_delta\":true,\"ig_steps\":7,\"top_k\":33,\"target_faithfulness\":0.8},"
                + "\"metric_full\":-3.0,\"metric_empty\":-1.0,\"metric_circuit\":-2.5,\"faithfulness\":0.75,"
                + "\"edges_in_graph\":2,\"edges_total\":" + g.edgeCount() + ",\"curve\":[{\"budget\":0.5,"
                + "\"edges\":1,\"faithfulness\":null},{\"budget\":1.0,\"edges\":9,\"faithfulness\":1.0}],"
                + "\"cpr\":null,\"cmd\":null,\"reference\":{\"roc_auc\":0.9,\"precision\":0.5,\"recall\":0.25,"
                + "\"reference_edges\":4,\"shared_edges\":1}}", cs.toString());
    }

    @Test
    void aFileWithoutNodesStillShowsItsMlps(@TempDir Path dir) throws Exception {
        ComputationGraph g = new ComputationGraph(1, 1, true, false, 4);
        StringBuilder edges = new StringBuilder();
        for (var e : g.edges()) {
            edges.append(edges.length() == 0 ? "" : ",").append('"').append(e.name()).append("\": {\"score\": 1.5}");
        }
        Path f = dir.resolve("mlp.json");
        Files.writeString(f, "{\"cfg\": {\"n_layers\": 1, \"n_heads\": 1}, \"edges\": {" + edges + "}}");
        CircuitJson.Circuit c = CircuitJson.read(f);
        assertTrue(c.graph().hasMlp());
        assertTrue(c.inGraph().isEmpty());
        assertEquals(1.5, c.scores()[g.edgeCount() - 1], 0.0);
    }

    @Test
    void aDamagedFileIsRejectedNamingTheProblem(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"cfg\": {\"n_layers\": 1, \"n_heads\": 1}, \"edges\": {\"input->a3.h0<q>\": {}}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CircuitJson.read(f));
        assertTrue(e.getMessage().contains("input->a3.h0<q>") && e.getMessage().contains("bad.json"), e.getMessage());
        Files.writeString(f, "[1, 2]");
        assertThrows(IllegalArgumentException.class, () -> CircuitJson.read(f));
        Files.writeString(f, "{\"cfg\": {\"n_layers\": 0, \"n_heads\": 1}, \"edges\": {}}");
        e = assertThrows(IllegalArgumentException.class, () -> CircuitJson.read(f));
        assertTrue(e.getMessage().contains("cfg.n_layers"), e.getMessage());
        Files.writeString(f, "{\"cfg\": {\"n_layers\": 1, \"n_heads\": 1}, \"edges\": {\"input->a0.h0<q>\": {}}}");
        e = assertThrows(IllegalArgumentException.class, () -> CircuitJson.read(f));
        assertTrue(e.getMessage().contains("lists 1 edges"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CircuitJson.read(dir.resolve("missing.json")));
    }

    @Test
    void dotQuotesIdsAndGraphmlRegistersScores() {
        ComputationGraph g = new ComputationGraph(1, 2, false, false, 8);
        BitSet c = new BitSet();
        c.set(g.edge("input->a0.h1<k>").index());
        c.set(g.edge("a0.h1->logits").index());
        double[] s = new double[g.edgeCount()];
        s[g.edge("a0.h1->logits").index()] = 0.25;
        s[g.edge("input->a0.h1<k>").index()] = -2;
        String dot = CircuitGraphFiles.dot(g, c, s);
        assertTrue(dot.contains("rankdir=TB"), dot);
        assertTrue(dot.contains("\"a0.h1\" [ label=\"a0.h1\" ]"), dot);
        assertTrue(dot.contains("\"input\" -> \"a0.h1\" [ color=\"#2ca02c\" label=\"k -2.000\" ]"), dot);
        assertTrue(dot.contains("\"a0.h1\" -> \"logits\" [ color=\"#555555\" label=\"0.2500\" ]"), dot);
        assertTrue(!dot.contains("a0.h0"), dot);
        String graphml = CircuitGraphFiles.graphMl(g, c, s);
        assertTrue(graphml.contains("for=\"node\" attr.name=\"node_in_graph\" attr.type=\"boolean\"/>"), graphml);
        assertTrue(graphml.contains("for=\"edge\" attr.name=\"in_graph\" attr.type=\"boolean\"/>"), graphml);
        assertTrue(graphml.contains("<node id=\"a0.h1\">"), graphml);
        assertTrue(graphml.contains("attr.name=\"score\" attr.type=\"double\""), graphml);
        assertTrue(graphml.contains("attr.name=\"input\" attr.type=\"string\""), graphml);
        assertTrue(graphml.contains("<edge id=\"a0.h1-&gt;logits\" source=\"a0.h1\" target=\"logits\">"), graphml);
        assertTrue(graphml.contains(">0.25</data>"), graphml);
        assertTrue(graphml.contains(">k</data>") && graphml.contains(">true</data>"), graphml);
    }
}
