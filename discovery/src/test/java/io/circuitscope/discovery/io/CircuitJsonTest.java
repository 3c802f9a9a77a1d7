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
    static final Path MIB = Path.of("../../shared/data/mib-ioi-eap-ig-gpt2.json");

    @Test
    void readsTheMibCircuitWrittenByEapIg() {
        CircuitJson.Circuit c = CircuitJson.read(MIB);
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
    void aDamagedFileIsRejectedNamingTheProblem(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"cfg\": {\"n_layers\": 1, \"n_heads\": 1}, \"edges\": {\"input->a3.h0<q>\": {}}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CircuitJson.read(f));
        assertTrue(e.getMessage().contains("input->a3.h0<q>") && e.getMessage().contains("bad.json"), e.getMessage());
        Files.writeString(f, "[1, 2]");
        assertThrows(IllegalArgumentException.class, () -> CircuitJson.read(f));
    }

    @Test
    void dotQuotesIdsAndGraphmlRegistersScores() {
        ComputationGraph g = new ComputationGraph(1, 2, false, false, 8);
        BitSet c = new BitSet();
        c.set(g.edge("input->a0.h1<k>").index());
        c.set(g.edge("a0.h1->logits").index());
        double[] s = new double[g.edgeCount()];
        s[g.edge("a0.h1->logits").index()] = 0.25;
        String dot = CircuitGraphFiles.dot(g, c, s);
        assertTrue(dot.contains("\"a0.h1\" -> \"logits\""), dot);
        assertTrue(dot.contains("k "), dot);
        String graphml = CircuitGraphFiles.graphMl(g, c, s);
        assertTrue(graphml.contains("attr.name=\"score\" attr.type=\"double\""), graphml);
        assertTrue(graphml.contains("0.25"));
    }
}
