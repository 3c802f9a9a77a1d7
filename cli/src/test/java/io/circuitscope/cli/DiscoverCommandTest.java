package io.circuitscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code circuitscope discover} end to end: the circuit files, determinism and clear refusals. */
class DiscoverCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesAFaithfulInductionCircuitByteIdenticallyForTheSameSeed() throws Exception {
        Path a = tmp.resolve("a.json");
        Path b = tmp.resolve("b.json");
        Path dot = tmp.resolve("c.dot");
        Path graphml = tmp.resolve("c.graphml");
        CommandRun r = CliTest.run("discover", "--model", "zoo:toy-induction", "--task", "induction", "--seed", "4",
                "--out", a.toString(), "--dot", dot.toString(), "--graphml", graphml.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals(0, CliTest.run("discover", "--model", "zoo:toy-induction", "--task", "induction", "--seed", "4",
                "--out", b.toString()).code());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        JsonNode json = new ObjectMapper().readTree(a.toFile());
        assertEquals(81, json.get("edges").size());
        JsonNode cs = json.get("circuitscope");
        assertEquals("acdc", cs.get("method").asText());
        assertEquals("kl", cs.get("metric").asText());
        assertTrue(cs.get("faithfulness").asDouble() >= 0.9, cs.toString());
        assertEquals(10, cs.get("curve").size());
        assertTrue(cs.has("cpr") && cs.has("cmd"));
        assertTrue(Files.readString(dot).contains("\"logits\""));
        assertTrue(Files.readString(graphml).contains("<graphml"));
        assertTrue(r.out().contains("faithfulness"), r.out());
    }

    /**
     * Issue 9's bar on toy-ioi: with the logit difference, faithfulness at least 0.8 with at most 10% of the edges,
     * and the circuit holds every head the detectors call s-inhibition and at least half of the name movers.
     */
    @Test
    void toyIoiCircuitIsFaithfulSmallAndHoldsTheLabelledHeads() throws Exception {
        Path heads = tmp.resolve("heads.csv");
        Path circuit = tmp.resolve("ioi.json");
        assertEquals(0, CliTest.run("detect", "--model", "zoo:toy-ioi", "--detectors", "name-mover,s-inhibition",
                "--out", heads.toString()).code());
        CommandRun r = CliTest.run("discover", "--model", "zoo:toy-ioi", "--task", "ioi", "--out", circuit.toString());
        assertEquals(0, r.code(), r::toString);
        JsonNode json = new ObjectMapper().readTree(circuit.toFile());
        JsonNode cs = json.get("circuitscope");
        assertEquals("logit-diff", cs.get("metric").asText());
        assertTrue(cs.get("faithfulness").asDouble() >= 0.8, cs.toString());
        assertTrue(cs.get("edges_in_graph").asInt() <= 0.1 * cs.get("edges_total").asInt(), cs.toString());
        java.util.List<String> movers = new java.util.ArrayList<>();
        java.util.List<String> inhibitors = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(heads).subList(1, 25)) {
            String[] cells = line.split(",", -1);
            String node = "a" + cells[0] + ".h" + cells[1];
            String labels = cells[cells.length - 1];
            if (labels.contains("name-mover")) {
                movers.add(node);
            }
            if (labels.contains("s-inhibition")) {
                inhibitors.add(node);
            }
        }
        for (String head : inhibitors) {
            assertTrue(json.get("nodes").get(head).get("in_graph").asBoolean(), head);
        }
        long kept = movers.stream().filter(h -> json.get("nodes").get(h).get("in_graph").asBoolean()).count();
        assertTrue(2 * kept >= movers.size(), movers + " kept " + kept);
        // toy-ioi's answer is written by its last layer: some a2 head must reach the logits.
        boolean lastLayerWrites = false;
        for (int h = 0; h < 8; h++) {
            lastLayerWrites |= json.get("edges").get("a2.h" + h + "->logits").get("in_graph").asBoolean();
        }
        assertTrue(lastLayerWrites);
    }

    @Test
    void comparesWithAReferenceCircuit() throws Exception {
        Path ref = tmp.resolve("ref.json");
        Path out = tmp.resolve("eap.json");
        assertEquals(0, CliTest.run("discover", "--model", "zoo:toy-induction", "--task", "induction",
                "--out", ref.toString()).code());
        CommandRun r = CliTest.run("discover", "--model", "zoo:toy-induction", "--task", "induction", "--method",
                "eap-ig", "--reference", ref.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r::toString);
        JsonNode reference = new ObjectMapper().readTree(out.toFile()).get("circuitscope").get("reference");
        assertTrue(reference.get("roc_auc").asDouble() > 0.8, reference.toString());
        assertTrue(r.out().contains("ROC AUC"), r.out());
    }

    @Test
    void aUserCsvTaskNamesTheRowThatDoesNotFit() throws Exception {
        Path csv = tmp.resolve("task.csv");
        Files.writeString(csv, "clean,corrupted,answer,distractor\n"
                + "\"When Mary and John went to the store, John gave a drink to\","
                + "\"When Anna and Lisa went to the store, Paul gave a drink to\", Mary, John\n"
                + "\"When Mary and John went to the store, John gave a drink to\",\"When Anna went\", Mary, John\n");
        Path out = tmp.resolve("csv.json");
        CommandRun r = CliTest.run("discover", "--model", "zoo:toy-ioi", "--task", csv.toString(), "--out",
                out.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("row 2") && r.err().contains("equally long"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void unknownMethodsAndTasksAreUsageErrors() {
        CommandRun r = CliTest.run("discover", "--model", "zoo:toy-induction", "--task", "induction", "--method",
                "magic", "--out", tmp.resolve("x.json").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("acdc, eap, eap-ig, exact or eap+acdc"), r.err());
        r = CliTest.run("discover", "--model", "zoo:toy-induction", "--task", "sorting", "--out",
                tmp.resolve("x.json").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("known tasks: induction, ioi"), r.err());
    }
}
