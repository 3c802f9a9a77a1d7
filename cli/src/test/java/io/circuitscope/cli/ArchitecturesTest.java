package io.circuitscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command a user runs on a model, on the four tiny checkpoints that the real {@code transformers} wrote
 * ({@code core/src/test/resources/hf-arch}): Pythia (GPT-NeoX), Llama, Mistral and Qwen2, each with its tokenizer.
 */
class ArchitecturesTest {
    private static final Path FIXTURES = Path.of("..", "core", "src", "test", "resources", "hf-arch");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String model(String name) {
        return FIXTURES.resolve(name).toString();
    }

    private static int[] referenceTokens(String name) throws IOException {
        JsonNode tokens = JSON.readTree(FIXTURES.resolve(name).resolve("reference.json").toFile()).get("tokens");
        return IntStream.range(0, tokens.size()).map(i -> tokens.get(i).asInt()).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pythia", "llama", "mistral", "qwen2"})
    void infoDescribesTheArchitecture(String name) {
        CommandRun r = CliTest.run("info", "--model", model(name));
        assertEquals(0, r.code(), r::toString);
        String expected = switch (name) {
            case "pythia" -> "rotary on 4 of 16 dims, base 10000";
            case "llama" -> "llama3 scaling x8 from 32";
            case "mistral" -> "sliding window of 4";
            default -> "grouped: 2 key-value heads";
        };
        assertTrue(r.out().contains(expected), r::toString);
        assertTrue(r.out().contains(name.equals("pythia") ? "parallel to attention" : "silu, gated"), r::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pythia", "llama", "mistral", "qwen2"})
    void logitsWriteWhatTransformersComputes(String name) throws IOException {
        int[] tokens = referenceTokens(name);
        Path out = tmp.resolve("logits.npy");
        CommandRun r = CliTest.run("logits", "--model", model(name), "--tokens",
                IntStream.of(tokens).mapToObj(String::valueOf).collect(Collectors.joining(",")), "--out",
                out.toString());
        assertEquals(0, r.code(), r::toString);
        float[] ours = npyFloats(out);
        float[] theirs = npyFloats(FIXTURES.resolve(name).resolve("expected_logits.npy"));
        assertEquals(theirs.length, ours.length);
        double worst = 0;
        for (int i = 0; i < ours.length; i++) {
            worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
        }
        assertTrue(worst < 1e-4, name + ": max |logit - transformers| " + worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pythia", "llama", "mistral", "qwen2"})
    void predictTokenizesWithTheModelsOwnTokenizer(String name) {
        CommandRun r = CliTest.run("predict", "--model", model(name), "--text", "When Mary and John went to the",
                "--top", "3");
        assertEquals(0, r.code(), r::toString);
        assertEquals(3, r.out().lines().filter(l -> l.matches("\\s*\\d+\\s.*")).count(), r::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pythia", "llama", "mistral", "qwen2"})
    void everyDetectorLabelsEveryHead(String name) throws IOException {
        Path csv = tmp.resolve("heads.csv");
        CommandRun r = CliTest.run("detect", "--model", model(name), "--seed", "3", "--out", csv.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.errLines().stream().noneMatch(l -> l.contains("failed")), r::toString);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(1 + 2 * 4, lines.size(), "a header and one row per head");
        assertTrue(lines.get(0).startsWith("layer,head,") && lines.get(0).endsWith(",labels"), lines.get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pythia", "llama", "mistral", "qwen2"})
    void everyDiscoveryMethodFindsAnInductionCircuit(String name) throws IOException {
        for (String method : List.of("acdc", "eap", "eap-ig", "exact", "eap+acdc")) {
            Path out = tmp.resolve(method + ".json");
            CommandRun r = CliTest.run("discover", "--model", model(name), "--task", "induction", "--method", method,
                    "--seed", "1", "--out", out.toString());
            assertEquals(0, r.code(), () -> method + "\n" + r);
            JsonNode circuit = JSON.readTree(out.toFile());
            assertEquals(name.equals("pythia"), circuit.path("cfg").path("parallel_attn_mlp").asBoolean(),
                    circuit.path("cfg").toString());
            assertTrue(circuit.path("edges").size() > 0, method);
            if (name.equals("pythia")) {
                assertTrue(circuit.path("edges").path("a0.h0->m0").isMissingNode(),
                        "with parallel attention and MLP, layer 0's heads do not feed m0");
            } else {
                assertTrue(!circuit.path("edges").path("a0.h0->m0").isMissingNode(), "sequential blocks: a0.h0->m0");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theWikiDescribesEachArchitectureAndDrawsItsCircuit() throws IOException {
        Path out = tmp.resolve("wiki");
        CommandRun r = CliTest.run("wiki", "--model", model("pythia"), "--model", model("llama"), "--examples", "8",
                "--out", out.toString());
        assertEquals(0, r.code(), r::toString);
        String pythia = Files.readString(out.resolve("pythia").resolve("index.html"));
        assertTrue(pythia.contains("in parallel with attention") && pythia.contains("rotary positions on 4 of 16"),
                "the architecture line names the parallel blocks and the partial rotary");
        String llama = Files.readString(out.resolve("llama").resolve("index.html"));
        assertTrue(llama.contains("4 query heads sharing 2 key-value heads") && llama.contains("(gated)"),
                "the architecture line names the grouping and the gated MLP");
        assertTrue(r.out().contains("circuit induction:"), r::toString);
    }

    private static float[] npyFloats(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(8);
        int header = Short.toUnsignedInt(buf.getShort());
        buf.position(10 + header);
        float[] out = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(out);
        return out;
    }
}
