package io.circuitscope.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterLayout;
import io.circuitscope.core.model.RandomWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The native (TransformerLens-named) layout: exact round trips, hand-written TransformerLens configs, bad configs. */
class NativeCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every field HookedTransformerConfig serialises that circuitscope reads. */
    private static final Set<String> TL_FIELDS = Set.of("n_layers", "d_model", "n_heads", "d_head", "d_mlp",
            "d_vocab", "n_ctx", "act_fn", "normalization_type", "attn_only", "positional_embedding_type", "eps",
            "bos_token_id", "model_name");

    @TempDir
    Path tmp;

    static Stream<ModelConfig> configs() {
        return Stream.of(
                new ModelConfig(2, 16, 4, 4, 48, 31, 12, "gelu_new", "LN", false, "standard", 1e-5, 30, "ln-mlp"),
                new ModelConfig(1, 16, 2, 8, null, 31, 12, null, "LNPre", true, "standard", 1e-5, null,
                        "lnpre-attn-only"),
                new ModelConfig(2, 12, 3, 4, 24, 17, 8, "relu", null, false, "standard", 1e-6, null, "no-norm"));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void writeThenLoadIsExact(ModelConfig cfg) throws IOException {
        ModelWeights written = RandomWeights.dense(cfg, 42, 0.5);
        Path dir = tmp.resolve(cfg.modelName());
        NativeCheckpoint.write(dir, written);

        ModelWeights read = NativeCheckpoint.load(dir);
        assertEquals(cfg, read.config());
        assertEquals(written.tensors().keySet(), read.tensors().keySet());
        for (Map.Entry<String, FloatTensor> e : written.tensors().entrySet()) {
            assertBitEqual(e.getKey(), e.getValue(), read.get(e.getKey()));
        }

        // What other tools see: TransformerLens names in both files, and no temp files left behind.
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.of("config.json", "model.safetensors"),
                    files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
        JsonNode json = JSON.readTree(dir.resolve("config.json").toFile());
        Set<String> keys = new HashSet<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertTrue(TL_FIELDS.containsAll(keys), "non-TransformerLens keys in " + keys);
        assertTrue(keys.containsAll(List.of("n_layers", "d_model", "n_heads", "d_head", "d_vocab", "n_ctx")), "" + keys);
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertEquals(ParameterLayout.of(cfg).keySet(), st.names());
            assertEquals("F32", st.dtype("embed.W_E"));
        }
    }

    @Test
    void handWrittenTransformerLensConfigLoads() throws IOException {
        Path dir = tmp.resolve("tl");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), """
                {
                  "n_layers": 2,
                  "d_model": 16,
                  "n_ctx": 10,
                  "d_head": 8,
                  "model_name": "attn-only-2l-toy",
                  "n_heads": 2,
                  "d_mlp": null,
                  "act_fn": null,
                  "d_vocab": 23,
                  "eps": 1e-05,
                  "use_attn_result": false,
                  "use_attn_scale": true,
                  "use_split_qkv_input": false,
                  "use_hook_mlp_in": false,
                  "use_attn_in": false,
                  "use_local_attn": false,
                  "original_architecture": null,
                  "from_checkpoint": false,
                  "checkpoint_index": null,
                  "checkpoint_label_type": null,
                  "checkpoint_value": null,
                  "tokenizer_name": null,
                  "window_size": null,
                  "attn_types": null,
                  "init_mode": "gpt2",
                  "normalization_type": "LNPre",
                  "device": "cpu",
                  "n_devices": 1,
                  "attention_dir": "causal",
                  "attn_only": true,
                  "seed": 398,
                  "initializer_range": 0.2,
                  "init_weights": true,
                  "scale_attn_by_inverse_layer_idx": false,
                  "positional_embedding_type": "standard",
                  "final_rms": false,
                  "d_vocab_out": 23,
                  "parallel_attn_mlp": false,
                  "rotary_dim": null,
                  "n_params": 2048,
                  "use_hook_tokens": false,
                  "gated_mlp": false,
                  "default_prepend_bos": true,
                  "dtype": "torch.float32",
                  "tokenizer_prepends_bos": null,
                  "n_key_value_heads": null,
                  "post_embedding_ln": false,
                  "rotary_base": 10000,
                  "trust_remote_code": false,
                  "rotary_adjacent_pairs": false,
                  "nested": {"anything": [1, 2, {"x": null}]}
                }
                """);
        ModelConfig expected = new ModelConfig(2, 16, 2, 8, null, 23, 10, null, "LNPre", true, "standard", 1e-5,
                null, "attn-only-2l-toy");
        ModelWeights weights = RandomWeights.dense(expected, 3, 0.3);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), weights.tensors(), Map.of("format", "pt"));

        ModelWeights loaded = NativeCheckpoint.load(dir);
        ModelConfig cfg = loaded.config();
        assertEquals(expected, cfg);
        assertEquals(ModelConfig.Normalization.LN_PRE, cfg.normalization());
        assertFalse(cfg.hasMlp());
        assertNull(cfg.dMlp());
        assertFalse(loaded.tensors().keySet().stream().anyMatch(n -> n.contains("mlp") || n.contains("ln")),
                "an attn-only LNPre model has no MLP or LayerNorm parameters: " + loaded.tensors().keySet());
        for (Map.Entry<String, FloatTensor> e : weights.tensors().entrySet()) {
            assertBitEqual(e.getKey(), e.getValue(), loaded.get(e.getKey()));
        }
    }

    @Test
    void missingEpsDefaultsToLayerNormDefault() throws IOException {
        Path dir = validDir(c -> c.remove("eps"));
        assertEquals(1e-5, NativeCheckpoint.load(dir).config().eps());
    }

    @Test
    void negativeDModelIsNamed() throws IOException {
        assertConfigFailure(c -> c.put("d_model", -32), "d_model", "-32");
    }

    @Test
    void unknownNormalizationIsNamed() throws IOException {
        assertConfigFailure(c -> c.put("normalization_type", "BatchNorm"), "normalization_type", "BatchNorm");
    }

    @Test
    void unknownPositionalEmbeddingsAreNamed() throws IOException {
        assertConfigFailure(c -> c.put("positional_embedding_type", "alibi"), "positional_embedding_type", "alibi");
    }

    @Test
    void missingDVocabIsNamed() throws IOException {
        assertConfigFailure(c -> c.remove("d_vocab"), "\"d_vocab\"", "missing");
    }

    @Test
    void unknownActivationForAnMlpModelIsNamed() throws IOException {
        assertConfigFailure(c -> c.put("act_fn", "solu_ln"), "act_fn", "solu_ln");
    }

    @Test
    void nonIntegerLayerCountIsNamed() throws IOException {
        assertConfigFailure(c -> c.put("n_layers", "two"), "n_layers", "two");
    }

    @Test
    void transformerLensOptionsThatChangeTheForwardPassAreRejected() throws IOException {
        assertConfigFailure(c -> c.put("final_rms", true), "final_rms", "not supported");
        assertConfigFailure(c -> c.put("rotary_adjacent_pairs", true), "rotary_adjacent_pairs", "not supported");
        assertConfigFailure(c -> c.put("use_local_attn", true), "use_local_attn", "window_size");
        assertConfigFailure(c -> c.put("use_attn_scale", false), "use_attn_scale", "not supported");
        assertConfigFailure(c -> c.put("n_key_value_heads", 3), "n_key_value_heads", "divisor");
        assertConfigFailure(c -> c.put("d_vocab_out", 7), "d_vocab_out", "not supported");
        assertConfigFailure(c -> c.put("use_qk_norm", true), "use_qk_norm", "not supported");
        assertConfigFailure(c -> c.put("attention_dir", "bidirectional"), "attention_dir", "bidirectional");
        assertConfigFailure(c -> c.put("attn_scores_soft_cap", 50.0), "attn_scores_soft_cap", "not supported");
        assertConfigFailure(c -> c.put("output_logits_soft_cap", 30.0), "output_logits_soft_cap", "not supported");
    }

    @Test
    void defaultValuedTransformerLensOptionsLoad() throws IOException {
        Path dir = validDir(c -> {
            c.put("parallel_attn_mlp", false);
            c.put("use_attn_scale", true);
            c.put("d_vocab_out", -1);
            c.putNull("n_key_value_heads");
            c.put("attention_dir", "causal");
            c.put("attn_scores_soft_cap", -1.0);
        });
        NativeCheckpoint.readConfig(dir);
    }

    @Test
    void missingTensorIsNamedWithItsExpectedShape() throws IOException {
        Path dir = validDir(c -> { });
        Map<String, FloatTensor> tensors = new java.util.LinkedHashMap<>(
                RandomWeights.dense(NativeCheckpoint.readConfig(dir), 5, 0.1).tensors());
        tensors.remove("blocks.1.attn.W_K");
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of());
        CheckpointException e = assertThrows(CheckpointException.class, () -> NativeCheckpoint.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("model.safetensors").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'blocks.1.attn.W_K'"), e.getMessage());
        assertTrue(e.getMessage().contains("[4, 16, 4]"), e.getMessage());
    }

    // ---- strict loading: every tensor used, TransformerLens defaults, no coercion --------------------------------

    @Test
    void aLayerTheConfigDropsIsAnErrorNotASmallerModel() throws IOException {
        assertConfigFailure(c -> c.put("n_layers", 1), "model.safetensors", "blocks.1.");
        Path dir = validDir(c -> c.put("n_layers", 1));
        String msg = assertThrows(CheckpointException.class, () -> NativeCheckpoint.load(dir)).getMessage();
        assertTrue(msg.startsWith(dir.resolve("model.safetensors") + ": 16 tensors are not used by the model that "
                + dir.resolve("config.json") + " describes: blocks.1."), msg);
    }

    @Test
    void absentNormalizationTypeIsTransformerLensDefaultLayerNorm() throws IOException {
        Path dir = validDir(c -> c.remove("normalization_type"));
        assertEquals(ModelConfig.Normalization.LN, NativeCheckpoint.load(dir).config().normalization());
    }

    @Test
    void normalizationThatWouldSkipStoredLayerNormWeightsIsRefused() throws IOException {
        assertConfigFailure(c -> c.putNull("normalization_type"), "model.safetensors", "blocks.0.ln1.w");
        assertConfigFailure(c -> c.put("normalization_type", "LNPre"), "model.safetensors", "blocks.1.ln2.b");
        assertConfigFailure(c -> c.put("normalization_type", "none"), "normalization_type", "none");
    }

    @Test
    void aModelWithoutNormalizationRoundTripsThroughAnExplicitNull() throws IOException {
        ModelConfig cfg = new ModelConfig(1, 8, 2, 4, 16, 6, 8, "relu", null, false, "standard", 1e-5, null, "bare");
        Path dir = tmp.resolve("bare");
        NativeCheckpoint.write(dir, RandomWeights.dense(cfg, 3, 0.2));
        assertTrue(JSON.readTree(dir.resolve("config.json").toFile()).get("normalization_type").isNull());
        assertEquals(cfg, NativeCheckpoint.load(dir).config());
    }

    @Test
    void fieldsOfTheWrongJsonTypeAreNamedNotCoerced() throws IOException {
        assertConfigFailure(c -> c.put("bos_token_id", 1.7), "bos_token_id", "1.7");
        assertConfigFailure(c -> c.put("bos_token_id", "0"), "bos_token_id", "\"0\"");
        assertConfigFailure(c -> c.put("attn_only", -1), "attn_only", "true or false");
        assertConfigFailure(c -> c.put("eps", "1e-05"), "eps", "a number");
        assertConfigFailure(c -> c.put("d_mlp", 1.5), "d_mlp", "1.5");
        assertConfigFailure(c -> c.put("parallel_attn_mlp", "false"), "parallel_attn_mlp", "true or false");
        assertConfigFailure(c -> c.put("model_name", 7), "model_name", "a string");
    }

    @Test
    void integersBeyondIntRangeAreRefusedNotWrapped() throws IOException {
        assertConfigFailure(c -> c.put("n_key_value_heads", 4294967300L), "n_key_value_heads", "4294967300");
        assertConfigFailure(c -> c.put("d_vocab_out", 4294967315L), "d_vocab_out", "4294967315");
        assertConfigFailure(c -> c.put("bos_token_id", new java.math.BigInteger("18446744073709551616")),
                "bos_token_id", "18446744073709551616");
        assertConfigFailure(c -> c.put("bos_token_id", 2147483648L), "bos_token_id", "2147483648");
    }

    @Test
    void bosOutsideTheVocabularyIsRefusedAtLoad() throws IOException {
        assertConfigFailure(c -> c.put("bos_token_id", 19), "bos_token_id 19", "outside the vocabulary (0..18)");
        assertConfigFailure(c -> c.put("bos_token_id", -1), "bos_token_id -1", "outside the vocabulary");
    }

    @Test
    void aZeroDimensionIsRefused() throws IOException {
        assertConfigFailure(c -> c.put("d_head", 0), "d_head", "positive integer");
    }

    @Test
    void nonDefaultAttentionScaleIsRefused() throws IOException {
        assertConfigFailure(c -> c.put("attn_scale", 4.0), "attn_scale", "not supported");
        NativeCheckpoint.readConfig(validDir(c -> c.put("attn_scale", 2.0)));
    }

    @Test
    void trailingContentAfterTheConfigObjectIsRefused() throws IOException {
        for (String tail : new String[] {"xyz", "{\"n_layers\": 2}", "\0\0\0\0"}) {
            Path dir = validDir(c -> { });
            Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")) + tail);
            String msg = assertThrows(CircuitscopeException.class, () -> NativeCheckpoint.load(dir)).getMessage();
            assertTrue(msg.startsWith(dir.resolve("config.json") + ": not valid JSON"), msg);
        }
    }

    @Test
    void aDuplicatedKeyIsAmbiguousAndRefused() throws IOException {
        Path dir = validDir(c -> { });
        String text = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), "{\"n_layers\": 1, " + text.substring(text.indexOf('{') + 1));
        String msg = assertThrows(CircuitscopeException.class, () -> NativeCheckpoint.load(dir)).getMessage();
        assertTrue(msg.contains("Duplicate field 'n_layers'"), msg);
    }

    @Test
    void aNonFiniteWeightIsRefusedNamingTheTensor() throws IOException {
        Path dir = validDir(c -> { });
        Map<String, FloatTensor> tensors = new java.util.LinkedHashMap<>(NativeCheckpoint.load(dir).tensors());
        FloatTensor wk = tensors.get("blocks.1.attn.W_K");
        float[] data = wk.data().clone();
        data[5] = Float.NaN;
        tensors.put("blocks.1.attn.W_K", new FloatTensor(data, wk.shape()));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of());
        String msg = assertThrows(CheckpointException.class, () -> NativeCheckpoint.load(dir)).getMessage();
        assertEquals(dir.resolve("model.safetensors") + ": tensor 'blocks.1.attn.W_K' holds NaN at flat index 5;"
                + " model weights must be finite, so the data is damaged", msg);
    }

    @Test
    void nullOptionsTakeTheirTransformerLensDefaults() throws IOException {
        Path dir = validDir(c -> {
            c.putNull("parallel_attn_mlp");
            c.putNull("attn_scores_soft_cap");
            c.putNull("num_experts");
            c.putNull("attn_only");
            c.putNull("eps");
        });
        ModelConfig cfg = NativeCheckpoint.readConfig(dir);
        assertFalse(cfg.attnOnly());
        assertEquals(1e-5, cfg.eps());
    }

    @Test
    void aSoftCapOfExactlyZeroMeansNoCap() throws IOException {
        NativeCheckpoint.readConfig(validDir(c -> c.put("attn_scores_soft_cap", 0.0)));
        assertConfigFailure(c -> c.put("attn_scores_soft_cap", 1e-9), "attn_scores_soft_cap", "not supported");
    }

    @Test
    void mixtureOfExpertsIsRefused() throws IOException {
        assertConfigFailure(c -> c.put("num_experts", 8), "num_experts", "not supported");
    }

    @Test
    void aConfigWithLayersButNoWidthIsReadAsNativeAndNamesTheMissingField() throws IOException {
        assertConfigFailure(c -> c.remove("d_model"), "missing required field \"d_model\"", "d_model");
    }

    @Test
    void oneUnusedTensorIsNamedAlone() throws IOException {
        Path dir = validDir(c -> { });
        Map<String, FloatTensor> tensors = new java.util.LinkedHashMap<>(NativeCheckpoint.load(dir).tensors());
        tensors.put("extra.W", FloatTensor.zeros(2));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of());
        String msg = assertThrows(CheckpointException.class, () -> NativeCheckpoint.load(dir)).getMessage();
        assertEquals(dir.resolve("model.safetensors") + ": 1 tensor is not used by the model that "
                + dir.resolve("config.json") + " describes: extra.W; the config and the weights disagree (check"
                + " n_layers, normalization_type, attn_only, n_key_value_heads and gated_mlp)", msg);
    }

    @Test
    void manyUnusedTensorsAreListedUpToEight() throws IOException {
        Path dir = validDir(c -> c.put("n_layers", 1));
        String msg = assertThrows(CheckpointException.class, () -> NativeCheckpoint.load(dir)).getMessage();
        assertTrue(msg.contains(" describes: blocks.1.ln1.w, blocks.1.ln1.b, blocks.1.attn.W_Q, blocks.1.attn.b_Q,"
                + " blocks.1.attn.W_K, blocks.1.attn.b_K, blocks.1.attn.W_V, blocks.1.attn.b_V, ... (8 more);"), msg);
    }

    @Test
    void aMissingConfigSaysWhatTheDirectoryNeeds() {
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> NativeCheckpoint.load(tmp));
        assertEquals(tmp.resolve("config.json") + ": file not found (a checkpoint directory needs config.json)",
                e.getMessage());
    }

    // ---- helpers ----

    /** A loadable LN + MLP native directory whose config has been edited by {@code edit}. */
    private Path validDir(Consumer<ObjectNode> edit) throws IOException {
        ModelConfig cfg = new ModelConfig(2, 16, 4, 4, 32, 19, 8, "gelu", "LN", false, "standard", 1e-5, null,
                "valid");
        Path dir = Files.createTempDirectory(tmp, "native");
        NativeCheckpoint.write(dir, RandomWeights.dense(cfg, 9, 0.2));
        NativeCheckpoint.load(dir);
        ObjectNode json = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        edit.accept(json);
        JSON.writeValue(dir.resolve("config.json").toFile(), json);
        return dir;
    }

    private void assertConfigFailure(Consumer<ObjectNode> edit, String field, String detail) throws IOException {
        Path dir = validDir(edit);
        CheckpointException e = assertThrows(CheckpointException.class, () -> NativeCheckpoint.load(dir));
        String msg = e.getMessage();
        assertTrue(msg.contains(dir.resolve("config.json").toString()), "names the file: " + msg);
        assertTrue(msg.contains(field), "names the field " + field + ": " + msg);
        assertTrue(msg.contains(detail), "says what is wrong (" + detail + "): " + msg);
        assertFalse(msg.contains("\n"), "one line: " + msg);
    }

    private static void assertBitEqual(String name, FloatTensor expected, FloatTensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), name);
        float[] e = expected.data();
        float[] a = actual.data();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                throw new AssertionError(name + "[" + i + "]: expected " + e[i] + ", got " + a[i]);
            }
        }
    }
}
