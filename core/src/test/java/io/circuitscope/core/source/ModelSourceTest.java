package io.circuitscope.core.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.checkpoint.NativeCheckpoint;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.tokenizer.Tokenizer;
import io.circuitscope.core.tokenizer.WordLevelTokenizer;
import io.circuitscope.core.zoo.ZooCatalog;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolving a {@code --model} argument, as a user types it, to weights and a tokenizer. */
class ModelSourceTest {
    @TempDir
    Path tmp;

    @Test
    void aZooModelsWeightsAreHeldOnTheHeapOnce() {
        LoadedModel zoo = ModelSource.load("zoo:toy-induction");
        assertSame(zoo.weights(), zoo.weights());
        assertSame(zoo.weights(), zoo.parameters());
    }

    @Test
    void nonexistentPathSaysSo() {
        String spec = tmp.resolve("no-such-model").toString();
        String msg = failure(spec);
        assertTrue(msg.contains(spec), msg);
        assertTrue(msg.contains("no such directory"), msg);
        assertTrue(msg.contains("zoo:"), "the message should mention zoo:NAME as an alternative: " + msg);
    }

    @Test
    void regularFileIsNotAModel() throws IOException {
        Path file = Files.writeString(tmp.resolve("model.safetensors"), "not a directory");
        String msg = failure(file.toString());
        assertTrue(msg.contains(file.toString()), msg);
        assertTrue(msg.contains("not a directory"), msg);
    }

    @Test
    void unknownZooModelListsTheAvailableOnes() {
        String msg = failure("zoo:nope");
        assertTrue(msg.contains("zoo:nope"), msg);
        assertTrue(msg.contains("no such zoo model"), msg);
        assertTrue(msg.contains("available"), msg);
        for (String name : ZooCatalog.names()) {
            assertTrue(msg.contains("zoo:" + name), "lists zoo:" + name + ": " + msg);
        }
    }

    @Test
    void nativeDirectoryWithVocabTxtHasAWordLevelTokenizer() {
        ModelConfig cfg = new ModelConfig(1, 8, 2, 4, null, 6, 8, null, "LNPre", true, "standard", 1e-5, 0, "toy");
        ModelWeights w = RandomWeights.dense(cfg, 1, 0.2);
        Path dir = tmp.resolve("toy");
        NativeCheckpoint.write(dir, w);
        new WordLevelTokenizer(List.of("<bos>", "the", "cat", "sat", "down", ".")).write(dir.resolve("vocab.txt"));

        LoadedModel m = ModelSource.load(dir.toString());
        assertEquals(dir.toString(), m.source());
        assertEquals(cfg, m.weights().config());
        assertTrue(m.tokenizer().isPresent(), "vocab.txt must give the model a tokenizer");
        Tokenizer tok = m.requireTokenizer("predict");
        assertInstanceOf(WordLevelTokenizer.class, tok);
        assertEquals(6, tok.vocabSize());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, tok.encode("the cat sat down."));
        assertEquals("cat", tok.decode(2));
        assertEquals(0, m.bosTokenId().orElseThrow());
    }

    @Test
    void nativeDirectoryWithoutVocabTxtHasNoTokenizer() {
        ModelConfig cfg = new ModelConfig(1, 8, 2, 4, 16, 6, 8, "relu", null, false, "standard", 1e-5, null, "bare");
        Path dir = tmp.resolve("bare");
        NativeCheckpoint.write(dir, RandomWeights.dense(cfg, 1, 0.2));
        LoadedModel m = ModelSource.load(dir.toString());
        assertTrue(m.tokenizer().isEmpty());
        assertTrue(m.bosTokenId().isEmpty());
    }

    @Test
    void hfDirectoryWithoutTokenizerFilesAndSmallVocabularyHasNoTokenizer() throws URISyntaxException, IOException {
        Path dir = Path.of(ModelSourceTest.class.getResource("/hf-gpt2/plain-untied").toURI());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("config.json", "expected_logits.npy", "model.safetensors", "reference.json"),
                    files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()),
                    "the fixture must carry no tokenizer files");
        }
        LoadedModel m = ModelSource.load(dir.toString());
        assertEquals(101, m.weights().config().dVocab());
        assertTrue(m.tokenizer().isEmpty(), "vocab_size 101 is not GPT-2's, so there is no BPE fallback");
        assertEquals(100, m.bosTokenId().orElseThrow(), "bos_token_id comes from config.json");

        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> m.requireTokenizer("predict"));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no tokenizer"), e.getMessage());
        assertTrue(e.getMessage().contains("predict"), e.getMessage());
        assertTrue(e.getMessage().contains("token ids"), "says ids still work: " + e.getMessage());
    }

    @Test
    void modelCardSuppliesBosWhenConfigHasNone() throws IOException {
        ModelConfig cfg = new ModelConfig(1, 8, 2, 4, null, 6, 8, null, "LNPre", true, "standard", 1e-5, null, "c");
        Path dir = tmp.resolve("carded");
        NativeCheckpoint.write(dir, RandomWeights.dense(cfg, 1, 0.2));
        Files.writeString(dir.resolve("model-card.json"), "{\"data_format\": {\"bos_token_id\": 5}}");
        LoadedModel m = ModelSource.load(dir.toString());
        assertTrue(m.modelCard().isPresent());
        assertEquals(5, m.bosTokenId().orElseThrow());
    }

    @Test
    void brokenModelCardIsNamed() throws IOException {
        ModelConfig cfg = new ModelConfig(1, 8, 2, 4, null, 6, 8, null, "LNPre", true, "standard", 1e-5, null, "c");
        Path dir = tmp.resolve("bad-card");
        NativeCheckpoint.write(dir, RandomWeights.dense(cfg, 1, 0.2));
        Files.writeString(dir.resolve("model-card.json"), "{\"data_format\": ");
        String msg = failure(dir.toString());
        assertTrue(msg.contains(dir.resolve("model-card.json").toString()), msg);
        assertTrue(msg.contains("not valid JSON"), msg);
    }

    @Test
    void vocabTxtLargerThanTheEmbeddingIsRejected() {
        // An id the tokenizer can produce but W_E has no row for would only fail later, mid-run.
        ModelConfig cfg = new ModelConfig(1, 8, 2, 4, null, 12, 8, null, "LNPre", true, "standard", 1e-5, null, "v");
        Path dir = tmp.resolve("v");
        NativeCheckpoint.write(dir, RandomWeights.dense(cfg, 1, 0.2));
        new WordLevelTokenizer(IntStream.range(0, 12).mapToObj(i -> "w" + i).toList()).write(dir.resolve("vocab.txt"));
        assertEquals(12, ModelSource.load(dir.toString()).requireTokenizer("test").vocabSize());

        new WordLevelTokenizer(IntStream.range(0, 13).mapToObj(i -> "w" + i).toList()).write(dir.resolve("vocab.txt"));
        String msg = failure(dir.toString());
        assertTrue(msg.contains("vocab.txt"), msg);
        assertTrue(msg.contains("13") && msg.contains("12"), "names both sizes: " + msg);
    }

    @Test
    void vocabTxtCutAtALineBoundaryIsRefused() {
        Path dir = smallNativeModel("cut");
        new WordLevelTokenizer(IntStream.range(0, 5).mapToObj(i -> "w" + i).toList()).write(dir.resolve("vocab.txt"));
        assertEquals(dir.resolve("vocab.txt") + ": 5 tokens, but the model's d_vocab is 6; vocab.txt lists one token"
                + " for every id, so it is truncated or belongs to another model", failure(dir.toString()));
    }

    @Test
    void modelCardWithTrailingContentOrNothingIsRefused() throws IOException {
        Path dir = smallNativeModel("cards");
        Path card = dir.resolve("model-card.json");
        for (String text : new String[] {"{\"task\": \"x\"}xyz", "{}{}", "{}\0\0", "", "  \n"}) {
            Files.writeString(card, text);
            String msg = failure(dir.toString());
            assertTrue(msg.startsWith(card + ": "), msg);
            assertTrue(msg.contains("not valid JSON") || msg.contains("empty file"), msg);
        }
    }

    @Test
    void modelCardBosOutsideTheVocabularyIsRefused() throws IOException {
        Path dir = smallNativeModel("card-bos");
        for (String bos : new String[] {"6", "-1", "1.5", "\"0\"", "4294967296"}) {
            Files.writeString(dir.resolve("model-card.json"), "{\"data_format\": {\"bos_token_id\": " + bos + "}}");
            assertEquals(dir.resolve("model-card.json") + ": data_format.bos_token_id " + bos + " is not a token id of"
                    + " this model (0..5)", failure(dir.toString()));
        }
    }

    @Test
    void zooModelsLeaveNothingInTheTempDirectory() throws IOException {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = zooTempDirs(temp);
        ModelSource.load("zoo:" + ZooCatalog.names().get(0));
        assertThrows(CircuitscopeException.class, () -> ModelSource.load("zoo:nope"));
        assertEquals(before, zooTempDirs(temp));
    }

    @Test
    void anEmptyModelSpecIsNamed() {
        assertTrue(failure("").startsWith("the model is an empty string"), failure(""));
    }

    /** This JVM's zoo directories only, so that another process loading a zoo model cannot disturb the test. */
    private static List<Path> zooTempDirs(Path temp) throws IOException {
        String mine = ZooCatalog.tempPrefix(ZooCatalog.names().get(0));
        try (var s = Files.list(temp)) {
            return s.filter(p -> p.getFileName().toString().startsWith(mine)).sorted().toList();
        }
    }

    /** A one-layer native model with a six-token vocabulary and no tokenizer. */
    private Path smallNativeModel(String name) {
        ModelConfig cfg = new ModelConfig(1, 8, 2, 4, null, 6, 8, null, "LNPre", true, "standard", 1e-5, null, name);
        Path dir = tmp.resolve(name);
        NativeCheckpoint.write(dir, RandomWeights.dense(cfg, 1, 0.2));
        return dir;
    }

    private static String failure(String spec) {
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> ModelSource.load(spec));
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }
}
