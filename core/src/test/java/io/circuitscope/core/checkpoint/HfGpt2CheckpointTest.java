package io.circuitscope.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterLayout;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.source.ModelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HF GPT-2 loader against checkpoints and logits written by an independent numpy script
 * ({@code core/src/test/python/make_hf_gpt2_fixtures.py}), plus every way a directory can be wrong.
 */
class HfGpt2CheckpointTest {
    /** The fixtures are float32 logits of a float64 reference; the engine computes in float32. */
    private static final double ATOL = 1e-3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        return ReferenceLogits.resource("hf-gpt2/" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"prefixed-tied", "plain-untied", "plain-tied-f16", "prefixed-untied-bf16"})
    void logitsMatchTheIndependentNumpyReference(String name) throws IOException {
        Path dir = fixture(name);
        ReferenceLogits.assertTinyGpt2(ModelSource.load(dir.toString()));
        ReferenceLogits.assertMatches(dir, ATOL, "hf-gpt2/" + name);
    }

    @Test
    void attentionBufferTensorsAreIgnored() {
        Path dir = fixture("prefixed-tied");
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            // The fixture really carries the buffers, so loading it proves they are skipped.
            assertTrue(st.names().contains("transformer.h.0.attn.bias"), st.names().toString());
            assertTrue(st.names().contains("transformer.h.0.attn.masked_bias"), st.names().toString());
        }
        ModelWeights w = HfGpt2Checkpoint.load(dir);
        assertEquals(ParameterLayout.of(w.config()).keySet(), w.tensors().keySet());
    }

    @Test
    void tiedCheckpointUnembedsWithTheTokenEmbedding() {
        Path dir = fixture("prefixed-tied");
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertFalse(st.names().stream().anyMatch(n -> n.contains("lm_head")), st.names().toString());
        }
        ModelWeights w = HfGpt2Checkpoint.load(dir);
        assertBitEqual(w.get("embed.W_E").transpose2d(), w.get("unembed.W_U"));
        assertBitEqual(FloatTensor.zeros(101), w.get("unembed.b_U"));
    }

    @Test
    void untiedCheckpointUnembedsWithItsTopLevelLmHead() {
        Path dir = fixture("prefixed-untied-bf16");
        FloatTensor lmHead;
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertTrue(st.names().contains("transformer.wte.weight"));
            lmHead = st.read("lm_head.weight", 101, 32);
        }
        ModelWeights w = HfGpt2Checkpoint.load(dir);
        assertBitEqual(lmHead.transpose2d(), w.get("unembed.W_U"));
        assertFalse(Arrays.equals(w.get("embed.W_E").transpose2d().data(), w.get("unembed.W_U").data()),
                "an untied lm_head must not be replaced by wte");
    }

    @Test
    void missingConfigJsonIsNamed() throws IOException {
        Path dir = copyOf("plain-untied");
        Files.delete(dir.resolve("config.json"));
        String msg = loadFailure(dir);
        assertTrue(msg.contains(dir.resolve("config.json").toString()), msg);
        assertTrue(msg.contains("not found"), msg);
    }

    @Test
    void invalidJsonIsNamed() throws IOException {
        Path dir = copyOf("plain-untied");
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_layer\": 2,");
        String msg = loadFailure(dir);
        assertTrue(msg.contains(dir.resolve("config.json").toString()), msg);
        assertTrue(msg.contains("not valid JSON"), msg);
    }

    @Test
    void missingNLayerIsNamed() throws IOException {
        Path dir = copyWithConfig("plain-untied", c -> c.remove("n_layer"));
        String msg = loadFailure(dir);
        assertTrue(msg.contains(dir.resolve("config.json").toString()), msg);
        assertTrue(msg.contains("\"n_layer\""), msg);
        assertTrue(msg.contains("missing"), msg);
    }

    @Test
    void nEmbdNotDivisibleByNHeadIsNamed() throws IOException {
        Path dir = copyWithConfig("plain-untied", c -> c.put("n_head", 5));
        String msg = loadFailure(dir);
        assertTrue(msg.contains(dir.resolve("config.json").toString()), msg);
        assertTrue(msg.contains("n_embd 32") && msg.contains("n_head 5") && msg.contains("divisible"), msg);
    }

    @Test
    void unsupportedActivationIsNamed() throws IOException {
        Path dir = copyWithConfig("plain-untied", c -> c.put("activation_function", "swish"));
        String msg = loadFailure(dir);
        assertTrue(msg.contains(dir.resolve("config.json").toString()), msg);
        assertTrue(msg.contains("activation_function") && msg.contains("swish"), msg);
        assertTrue(msg.contains("gelu_new"), "the message should say what is supported: " + msg);
    }

    @Test
    void attentionScalingOptionsThatChangeTheLogitsAreRejected() throws IOException {
        Path byLayer = copyWithConfig("plain-untied", c -> c.put("scale_attn_by_inverse_layer_idx", true));
        assertTrue(loadFailure(byLayer).contains("scale_attn_by_inverse_layer_idx = true is not supported"));
        Path unscaled = copyWithConfig("plain-untied", c -> c.put("scale_attn_weights", false));
        assertTrue(loadFailure(unscaled).contains("scale_attn_weights = false is not supported"));
        Path noEps = copyWithConfig("plain-untied", c -> c.put("layer_norm_epsilon", 0.0));
        assertTrue(loadFailure(noEps).contains("eps must be a positive number"));
    }

    @Test
    void missingSafetensorsIsNamed() throws IOException {
        Path dir = copyOf("plain-untied");
        Files.delete(dir.resolve("model.safetensors"));
        String msg = loadFailure(dir);
        assertTrue(msg.contains(dir.resolve("model.safetensors").toString()), msg);
        assertTrue(msg.contains("not found"), msg);
        assertTrue(msg.contains("convert pytorch_model.bin"), "says how to get a safetensors file: " + msg);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void missingTensorIsNamedWithItsExpectedShape(boolean prefixed) throws IOException {
        Path dir = writeRandomCheckpoint(prefixed);
        String p = prefixed ? "transformer." : "";
        rewriteTensors(dir, t -> assertNotNull(t.remove(p + "h.1.attn.c_proj.weight")));
        String msg = loadFailure(dir);
        assertTrue(msg.contains(dir.resolve("model.safetensors").toString()), msg);
        assertTrue(msg.contains("'" + p + "h.1.attn.c_proj.weight'"), msg);
        assertTrue(msg.contains("missing"), msg);
        assertTrue(msg.contains("[32, 32]"), msg);
    }

    @Test
    void misshapedTensorIsNamedWithBothShapes() throws IOException {
        Path dir = writeRandomCheckpoint(false);
        // An nn.Linear-style [out, in] weight where Conv1D stores [in, out]: the classic conversion mistake.
        rewriteTensors(dir, t -> t.put("h.0.mlp.c_fc.weight", t.get("h.0.mlp.c_fc.weight").transpose2d()));
        String msg = loadFailure(dir);
        assertTrue(msg.contains(dir.resolve("model.safetensors").toString()), msg);
        assertTrue(msg.contains("'h.0.mlp.c_fc.weight'"), msg);
        assertTrue(msg.contains("[128, 32]"), "actual shape: " + msg);
        assertTrue(msg.contains("[32, 128]"), "expected shape: " + msg);
    }

    @Test
    void writtenCheckpointLoadsBackBeforeItIsDamaged() throws IOException {
        // Guards the two tests above: their failure must come from the damage, not from the writer.
        Path dir = writeRandomCheckpoint(true);
        ModelWeights w = ModelSource.load(dir.toString()).weights();
        assertEquals(2, w.config().nLayers());
    }

    // ---- helpers ----

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void hfLayoutRoundTripIsBitExact(boolean prefixedAndTied) throws IOException {
        ModelConfig cfg = new ModelConfig(2, 32, 4, 8, 96, 101, 16, "gelu_new", "LN", false, "standard", 1e-5,
                null, "round-trip");
        ModelWeights untied = HfGpt2Writer.withoutUnembedBias(RandomWeights.dense(cfg, 21, 0.2));
        ModelWeights original = prefixedAndTied ? HfGpt2Writer.tie(untied) : untied;
        Path dir = tmp.resolve("round-trip-" + prefixedAndTied);
        HfGpt2Writer.write(dir, original, prefixedAndTied, prefixedAndTied);
        ModelWeights loaded = HfGpt2Checkpoint.load(dir);
        assertEquals(96, loaded.config().mlpWidth());
        for (Map.Entry<String, FloatTensor> e : original.tensors().entrySet()) {
            assertBitEqual(e.getValue(), loaded.get(e.getKey()));
        }
    }

    // ---- strict loading -------------------------------------------------------------------------------------------

    @Test
    void aLayerTheConfigDropsIsAnError() throws IOException {
        String msg = loadFailure(copyWithConfig("plain-untied", c -> c.put("n_layer", 1)));
        assertTrue(msg.contains("tensors are not used by the model that") && msg.contains("h.1.ln_1.weight"), msg);
    }

    @Test
    void aDuplicatedKeyCannotLowerTheLayerCount() throws IOException {
        Path dir = copyOf("plain-untied");
        String text = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), text.replace("\"n_layer\": 2", "\"n_layer\": 2, \"n_layer\": 1"));
        String msg = loadFailure(dir);
        assertTrue(msg.startsWith(dir.resolve("config.json") + ": not valid JSON (Duplicate field 'n_layer'"), msg);
    }

    @Test
    void untiedWithoutLmHeadIsRefusedNotSilentlyTied() throws IOException {
        String msg = loadFailure(copyWithConfig("prefixed-tied", c -> c.put("tie_word_embeddings", false)));
        assertTrue(msg.contains("missing tensor 'lm_head.weight'") && msg.contains("tie_word_embeddings to false"),
                msg);
    }

    @Test
    void tiedWithADifferentStoredLmHeadIsAmbiguousAndRefused() throws IOException {
        String msg = loadFailure(copyWithConfig("plain-untied", c -> c.put("tie_word_embeddings", true)));
        assertTrue(msg.contains("'lm_head.weight' differs from 'wte.weight'"), msg);
    }

    @Test
    void integersThatWouldWrapAreRefused() throws IOException {
        String inner = loadFailure(copyWithConfig("plain-untied", c -> c.put("n_inner", 4294967424L)));
        assertTrue(inner.contains("\"n_inner\"") && inner.contains("4294967424"), inner);
        String big = loadFailure(copyWithConfig("plain-untied",
                c -> c.put("bos_token_id", new java.math.BigInteger("18446744073709551616"))));
        assertTrue(big.contains("\"bos_token_id\"") && big.contains("18446744073709551616"), big);
        String signed = loadFailure(copyWithConfig("plain-untied", c -> c.put("bos_token_id", 2147483648L)));
        assertTrue(signed.contains("2147483648"), signed);
    }

    @Test
    void bosOutsideTheVocabularyIsRefusedAtLoad() throws IOException {
        String msg = loadFailure(copyWithConfig("plain-untied", c -> c.put("bos_token_id", 101)));
        assertTrue(msg.contains("config.json") && msg.contains("bos_token_id 101 is outside the vocabulary (0..100)"),
                msg);
    }

    @Test
    void flagsOfTheWrongTypeAreRefused() throws IOException {
        String msg = loadFailure(copyWithConfig("plain-untied", c -> c.put("scale_attn_weights", 0)));
        assertTrue(msg.contains("\"scale_attn_weights\" must be true or false, got 0"), msg);
    }

    @Test
    void aMissingOrMisspelledModelTypeSaysWhatIsSupported() throws IOException {
        String missing = loadFailure(copyWithConfig("plain-untied", c -> c.remove("model_type")));
        assertTrue(missing.contains("has no model_type and is not a TransformerLens config")
                && missing.contains("supported model_type values: gpt2"), missing);
        String misspelled = loadFailure(copyWithConfig("plain-untied", c -> c.put("model_type", "gtp2")));
        assertTrue(misspelled.contains("model_type \"gtp2\" is not supported (supported: gpt2"), misspelled);
    }

    @Test
    void aNonPositiveInnerWidthIsRefused() throws IOException {
        for (int inner : new int[] {0, -1}) {
            String msg = loadFailure(copyWithConfig("plain-untied", c -> c.put("n_inner", inner)));
            assertTrue(msg.endsWith("field \"n_inner\" must be a positive integer or null, got " + inner), msg);
        }
    }

    @Test
    void crossAttentionIsRefused() throws IOException {
        String msg = loadFailure(copyWithConfig("plain-untied", c -> c.put("add_cross_attention", true)));
        assertTrue(msg.endsWith("config.json: add_cross_attention = true is not supported"), msg);
        ModelSource.load(copyWithConfig("plain-untied", c -> c.put("add_cross_attention", false)).toString());
    }

    @Test
    void nullFieldsTakeTheirDefaults() throws IOException {
        Path dir = copyWithConfig("plain-untied", c -> {
            c.putNull("n_inner");
            c.putNull("layer_norm_epsilon");
            c.putNull("scale_attn_weights");
            c.putNull("bos_token_id");
        });
        ModelConfig cfg = ModelSource.load(dir.toString()).weights().config();
        assertEquals(4 * 32, cfg.mlpWidth());
        assertEquals(1e-5, cfg.eps());
        assertNull(cfg.bosTokenId());
    }

    private Path writeRandomCheckpoint(boolean prefixed) throws IOException {
        ModelConfig cfg = new ModelConfig(2, 32, 4, 8, 128, 101, 16, "gelu_new", "LN", false, "standard", 1e-5,
                null, "random-gpt2");
        Path dir = tmp.resolve(prefixed ? "random-prefixed" : "random-plain");
        HfGpt2Writer.write(dir, RandomWeights.dense(cfg, 7, 0.2), prefixed, true);
        return dir;
    }

    private static void rewriteTensors(Path dir, Consumer<Map<String, FloatTensor>> edit) {
        Path file = dir.resolve("model.safetensors");
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            for (String name : st.names()) {
                tensors.put(name, st.read(name));
            }
        }
        edit.accept(tensors);
        SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
    }

    private static String loadFailure(Path dir) {
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> ModelSource.load(dir.toString()).weights());
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "a message is one line: " + e.getMessage());
        return e.getMessage();
    }

    private Path copyOf(String name) throws IOException {
        Path src = fixture(name);
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(src.resolve(f), dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    private Path copyWithConfig(String name, Consumer<ObjectNode> edit) throws IOException {
        Path dir = copyOf(name);
        ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        edit.accept(cfg);
        JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
        return dir;
    }

    private static void assertBitEqual(FloatTensor expected, FloatTensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.data();
        float[] a = actual.data();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                throw new AssertionError("element " + i + ": expected " + e[i] + ", got " + a[i]);
            }
        }
    }
}
