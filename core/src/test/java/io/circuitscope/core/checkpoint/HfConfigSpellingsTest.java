package io.circuitscope.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rotary, window and feature fields of real Hugging Face configs in every spelling real files use: the same
 * weights under transformers 4's top-level {@code rope_theta} / {@code rope_scaling} / {@code rotary_pct} give the
 * same logits as under transformers 5's {@code rope_parameters}, and what cannot be run is refused by name.
 */
class HfConfigSpellingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A copy of a fixture whose config.json {@code edit} has changed. */
    private Path edited(String fixture, Consumer<ObjectNode> edit) throws IOException {
        Path from = HfArchitectureReferenceTest.fixture(fixture);
        Path dir = Files.createTempDirectory(tmp, fixture);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        edit.accept(config);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        return dir;
    }

    private static ModelConfig read(Path dir) {
        return CheckpointLayout.of(dir).parameters(dir).config();
    }

    private static String refusal(Path dir) {
        return assertThrows(CheckpointException.class, () -> read(dir)).getMessage();
    }

    @Test
    void transformers4LlamaSpellingsGiveTheSameLogits() throws IOException {
        for (String typeKey : new String[] {"rope_type", "type"}) {
            Path dir = edited("llama", c -> {
                ObjectNode params = (ObjectNode) c.remove("rope_parameters");
                c.set("rope_theta", params.remove("rope_theta"));
                params.remove("rope_type");
                params.put(typeKey, "llama3");
                c.set("rope_scaling", params);
            });
            ModelConfig cfg = read(dir);
            assertTrue(cfg.ntkByParts(), typeKey);
            assertEquals(4.0, cfg.ntkByPartsHighFreqFactor());
            ReferenceLogits.assertMatches(dir, 1e-4, "llama with rope_scaling." + typeKey);
        }
    }

    @Test
    void transformers4NeoxSpellingsGiveTheSameLogits() throws IOException {
        Path dir = edited("pythia", c -> {
            c.remove("rope_parameters");
            c.put("rotary_pct", 0.25);
            c.put("rotary_emb_base", 10000);
        });
        assertEquals(4, read(dir).rotaryDims());
        ReferenceLogits.assertMatches(dir, 1e-4, "pythia with rotary_pct");
        Path defaults = edited("pythia", c -> c.remove("rope_parameters"));
        assertEquals(4, read(defaults).rotaryDims(), "GPT-NeoX's default rotary_pct is 0.25");
    }

    @Test
    void hubQwen2ConfigsCarryASlidingWindowThatIsOff() throws IOException {
        Path dir = edited("qwen2", c -> {
            c.put("sliding_window", 4);
            c.put("use_sliding_window", false);
            c.remove("layer_types");
            c.put("max_window_layers", 28);
        });
        assertNull(read(dir).windowSize());
        ReferenceLogits.assertMatches(dir, 1e-4, "qwen2 with sliding_window 4, use_sliding_window false");
        Path allSliding = edited("qwen2", c -> {
            c.put("sliding_window", 4);
            c.put("use_sliding_window", true);
            c.remove("layer_types");
            c.put("max_window_layers", 0);
        });
        assertEquals(4, read(allSliding).windowSize());
        Path someSliding = edited("qwen2", c -> {
            c.put("sliding_window", 4);
            c.put("use_sliding_window", true);
            c.remove("layer_types");
            c.put("max_window_layers", 1);
        });
        assertTrue(refusal(someSliding).contains("use_sliding_window with 1 of 2 layers sliding"),
                refusal(someSliding));
    }

    @Test
    void mistralWithoutAWindowAttendsToEveryEarlierToken() throws IOException {
        assertNull(read(edited("mistral", c -> c.putNull("sliding_window"))).windowSize());
    }

    @Test
    void unsupportedRopeTypesAreNamedWithTheirField() throws IOException {
        for (String type : new String[] {"linear", "dynamic", "yarn", "longrope"}) {
            String msg = refusal(edited("llama", c -> ((ObjectNode) c.get("rope_parameters")).put("rope_type", type)));
            assertTrue(msg.contains("rope_parameters.rope_type \"" + type + "\" is not supported"), msg);
        }
        String legacy = refusal(edited("mistral", c -> {
            c.remove("rope_parameters");
            c.putObject("rope_scaling").put("type", "linear").put("factor", 2.0);
        }));
        assertTrue(legacy.contains("rope_scaling.type \"linear\" is not supported"), legacy);
        String perType = refusal(edited("qwen2", c -> {
            ObjectNode params = (ObjectNode) c.remove("rope_parameters");
            c.putObject("rope_parameters").set("full_attention", params);
        }));
        assertTrue(perType.contains("one entry per attention type (full_attention)"), perType);
        String conflict = refusal(edited("llama", c -> c.put("rope_theta", 500000.0)));
        assertTrue(conflict.contains("rope_theta 500000.0 disagrees with rope_parameters.rope_theta 10000.0"),
                conflict);
    }

    @Test
    void featuresTheEngineDoesNotRunAreRefusedByName() throws IOException {
        String[][] cases = {
            {"attn_logit_softcapping", "attn_logit_softcapping is set (50.0)"},
            {"final_logit_softcapping", "final_logit_softcapping is set (50.0)"},
            {"num_local_experts", "num_local_experts 8: mixtures of experts are not supported"},
        };
        for (String[] c : cases) {
            String msg = refusal(edited("llama", n -> {
                if (c[0].startsWith("num")) {
                    n.put(c[0], 8);
                } else {
                    n.put(c[0], 50.0);
                }
            }));
            assertTrue(msg.contains(c[1]), msg);
        }
        assertTrue(refusal(edited("llama", n -> n.put("mlp_bias", true))).contains("mlp_bias = true"));
        assertTrue(refusal(edited("llama", n -> n.put("hidden_act", "gelu"))).contains("hidden_act \"gelu\""));
        assertTrue(refusal(edited("pythia", n -> n.put("hidden_act", "gelu_fast"))).contains("hidden_act"));
        assertTrue(refusal(edited("llama", n -> n.put("num_key_value_heads", 3))).contains("n_key_value_heads"));
        assertTrue(refusal(edited("llama", n -> ((ObjectNode) n.get("rope_parameters")).remove("factor")))
                .contains("rope_parameters.factor"));
    }

    @Test
    void shardsMustAgreeWithTheirIndex() throws IOException {
        Path missing = edited("llama", c -> { });
        Files.delete(missing.resolve("model-00002-of-00003.safetensors"));
        String msg = assertThrows(RuntimeException.class,
                () -> ModelWeights.collect(CheckpointLayout.of(missing).parameters(missing))).getMessage();
        assertTrue(msg.contains("model-00002-of-00003.safetensors"), msg);

        String wrong = refusalOfWeights(llamaWithWeightMap(
                map -> map.put("model.norm.weight", "model-00001-of-00003.safetensors")));
        assertTrue(wrong.contains("model.norm.weight"), wrong);

        String escape = refusalOfWeights(llamaWithWeightMap(
                map -> map.put("model.norm.weight", "../elsewhere.safetensors")));
        assertTrue(escape.contains("must name a file in the same directory"), escape);
    }

    @Test
    void aTiedModelMayStoreItsHeadWhenItEqualsTheEmbedding() throws IOException {
        Path dir = withTensors("qwen2", t -> t.put("lm_head.weight", t.get("model.embed_tokens.weight")));
        ReferenceLogits.assertMatches(dir, 1e-4, "qwen2 with its tied head stored");
    }

    @Test
    void aTiedModelWithADifferentStoredHeadIsRefused() throws IOException {
        String msg = refusalOfWeights(edited("llama", c -> c.put("tie_word_embeddings", true)));
        assertTrue(msg.contains("'lm_head.weight' differs from 'embed_tokens.weight'"), msg);
    }

    @Test
    void unsupportedModelTypesListTheSupportedOnes() throws IOException {
        String msg = assertThrows(CheckpointException.class,
                () -> CheckpointLayout.of(edited("llama", c -> c.put("model_type", "gemma2")))).getMessage();
        assertTrue(msg.contains("\"gemma2\" is not supported (supported: gpt2, gpt_neox, llama, mistral, qwen2"), msg);
    }

    @Test
    void rotaryFractionsAndThetasAreChecked() throws IOException {
        for (double fraction : new double[] {0, -0.5}) {
            String msg = refusal(edited("pythia", c -> ((ObjectNode) c.get("rope_parameters"))
                    .put("partial_rotary_factor", fraction)));
            assertTrue(msg.contains("rope_parameters.partial_rotary_factor must be a positive number, got "
                    + fraction), msg);
        }
        String above = refusal(edited("pythia", c -> ((ObjectNode) c.get("rope_parameters"))
                .put("partial_rotary_factor", 1.5)));
        assertTrue(above.contains("the partial rotary factor must be in (0, 1], got 1.5"), above);
        String twoFractions = refusal(edited("pythia", c -> c.put("rotary_pct", 1.0)));
        assertTrue(twoFractions.contains("rotary_pct 1.0 disagrees with rope_parameters.partial_rotary_factor 0.25"),
                twoFractions);
        String twoBases = refusal(edited("pythia", c -> c.put("rotary_emb_base", 500)));
        assertTrue(twoBases.contains("rotary_emb_base 500.0 disagrees with rope_parameters.rope_theta 10000.0"),
                twoBases);
        String partialOnly = refusal(edited("llama", c -> {
            c.remove("rope_parameters");
            c.putObject("rope_parameters").put("partial_rotary_factor", 0.5);
        }));
        assertTrue(partialOnly.contains("a partial rotary factor (8 of head_dim 16 dims) is not supported for"
                + " model_type llama"), partialOnly);
        String odd = refusal(edited("pythia", c -> ((ObjectNode) c.get("rope_parameters"))
                .put("partial_rotary_factor", 0.0625)));
        assertTrue(odd.contains("gives 1 rotary dimensions"), odd);
        assertEquals(16, read(edited("pythia", c -> ((ObjectNode) c.get("rope_parameters"))
                .put("partial_rotary_factor", 1.0))).rotaryDims());
        assertTrue(refusal(edited("llama", c -> c.put("partial_rotary_factor", 0.5)))
                .contains("is not supported for model_type llama"));
        for (double theta : new double[] {0, -1}) {
            String msg = refusal(edited("mistral", c -> ((ObjectNode) c.get("rope_parameters"))
                    .put("rope_theta", theta)));
            assertTrue(msg.contains("rope_parameters.rope_theta must be a positive number"), msg);
        }
        assertEquals(10000.0, read(edited("mistral", c -> ((ObjectNode) c.get("rope_parameters"))
                .remove("rope_theta"))).rotaryTheta(), "the default base");
        assertEquals(500000.0, read(edited("mistral", c -> {
            c.remove("rope_parameters");
            c.put("rope_theta", 500000.0);
        })).rotaryTheta());
    }

    @Test
    void llama3FactorsMustBeOrdered() throws IOException {
        String[][] cases = {{"factor", "0.5"}, {"low_freq_factor", "0"}, {"high_freq_factor", "1.0"}};
        for (String[] c : cases) {
            String msg = refusal(edited("llama", n -> ((ObjectNode) n.get("rope_parameters"))
                    .put(c[0], Double.parseDouble(c[1]))));
            assertTrue(msg.contains("llama3 rope scaling needs factor >= 1"), msg);
        }
        assertTrue(refusal(edited("llama", n -> ((ObjectNode) n.get("rope_parameters"))
                .put("original_max_position_embeddings", 0))).contains("original_max_position_embeddings"));
    }

    @Test
    void aLegacyRopeScalingBesideRopeParametersIsHonouredOnlyForLlama3() throws IOException {
        Path withLlama3 = edited("mistral", c -> c.putObject("rope_scaling").put("rope_type", "llama3")
                .put("factor", 8.0).put("low_freq_factor", 1.0).put("high_freq_factor", 4.0)
                .put("original_max_position_embeddings", 32));
        assertTrue(read(withLlama3).ntkByParts());
        assertTrue(!read(edited("mistral", c -> c.putObject("rope_scaling").put("type", "default"))).ntkByParts());
        String linear = refusal(edited("mistral", c -> c.putObject("rope_scaling").put("type", "linear")));
        assertTrue(linear.contains("rope_scaling.type \"linear\" is not supported"), linear);
    }

    @Test
    void slidingWindowsFollowEachFamilysRules() throws IOException {
        assertNull(read(edited("llama", c -> c.put("sliding_window", 4))).windowSize(), "Llama has no window");
        assertTrue(refusal(edited("mistral", c -> c.put("sliding_window", 0))).contains("sliding_window"));
        Path allSliding = edited("qwen2", c -> {
            c.put("sliding_window", 4);
            c.put("use_sliding_window", true);
            c.putArray("layer_types").add("sliding_attention").add("sliding_attention");
        });
        assertEquals(4, read(allSliding).windowSize());
        Path mixed = edited("qwen2", c -> {
            c.put("sliding_window", 4);
            c.put("use_sliding_window", true);
            c.putArray("layer_types").add("full_attention").add("sliding_attention");
        });
        assertTrue(refusal(mixed).contains("1 of 2 layers sliding"), refusal(mixed));
        Path none = edited("qwen2", c -> {
            c.put("sliding_window", 4);
            c.put("use_sliding_window", true);
            c.putArray("layer_types").add("full_attention").add("full_attention");
        });
        assertNull(read(none).windowSize());
        Path defaultFullLayers = edited("qwen2", c -> {
            c.put("sliding_window", 4);
            c.put("use_sliding_window", true);
            c.remove("layer_types");
            c.remove("max_window_layers");
        });
        assertNull(read(defaultFullLayers).windowSize(), "Qwen2's default max_window_layers 28 keeps both layers full");
        String shortList = refusal(edited("qwen2", c -> {
            c.put("sliding_window", 4);
            c.put("use_sliding_window", true);
            c.putArray("layer_types").add("full_attention");
        }));
        assertTrue(shortList.contains("layer_types"), shortList);
    }

    @Test
    void headWidthsComeFromHeadDimOrDivide() throws IOException {
        assertTrue(refusal(edited("llama", c -> c.put("head_dim", 0))).contains("head_dim"));
        String indivisible = refusal(edited("qwen2", c -> c.put("num_attention_heads", 5)));
        assertTrue(indivisible.contains("hidden_size 64 is not divisible by num_attention_heads 5"), indivisible);
        assertEquals(16, read(edited("llama", c -> c.remove("head_dim"))).dHead());
    }

    @Test
    void mistralHasNoAttentionBiasWhateverItsConfigSays() throws IOException {
        ReferenceLogits.assertMatches(edited("mistral", c -> c.put("attention_bias", true)), 1e-4,
                "mistral with attention_bias true");
    }

    @Test
    void llamaAttentionBiasNeedsItsTensors() throws IOException {
        String msg = refusalOfWeights(edited("llama", c -> c.put("attention_bias", true)));
        assertTrue(msg.contains("missing tensor 'model.layers.0.self_attn.q_proj.bias'"), msg);
    }

    @Test
    void storedRotaryBuffersAreIgnoredAndAnyOtherExtraTensorIsNot() throws IOException {
        for (String[] c : new String[][] {{"pythia", "gpt_neox.layers.0.attention.rotary_emb.inv_freq"},
            {"mistral", "model.layers.1.self_attn.rotary_emb.inv_freq"}}) {
            Path buffer = withTensors(c[0], t -> t.put(c[1], FloatTensor.zeros(2)));
            ReferenceLogits.assertMatches(buffer, 1e-4, c[0] + " with " + c[1]);
            String msg = refusalOfWeights(withTensors(c[0],
                    t -> t.put("model.layers.9.mlp.up_proj.weight", FloatTensor.zeros(2))));
            assertTrue(msg.contains("1 tensor is not used") && msg.contains("model.layers.9.mlp.up_proj.weight"), msg);
        }
    }

    @Test
    void aDirectoryWithoutSafetensorsOrWithABrokenIndexIsNamed() throws IOException {
        Path bare = edited("mistral", c -> { });
        Files.delete(bare.resolve("model.safetensors"));
        // Refused when the model is resolved, before any command starts its work.
        String msg = assertThrows(CheckpointException.class, () -> CheckpointLayout.of(bare).parameters(bare))
                .getMessage();
        assertTrue(msg.contains("neither model.safetensors nor model.safetensors.index.json found"), msg);
        Path noMap = edited("llama", c -> { });
        Files.writeString(noMap.resolve("model.safetensors.index.json"), "{\"metadata\": {}}");
        assertTrue(refusalOfWeights(noMap).contains("no \"weight_map\" object"), refusalOfWeights(noMap));
        String unlisted = refusalOfWeights(llamaWithWeightMap(map -> map.remove("model.norm.weight")));
        assertTrue(unlisted.contains("'model.norm.weight' is not listed for this file"), unlisted);
    }

    /** The message with which streaming the directory's weights is refused. */
    private static String refusalOfWeights(Path dir) {
        return assertThrows(CheckpointException.class,
                () -> ModelWeights.collect(CheckpointLayout.of(dir).parameters(dir))).getMessage();
    }

    /** A copy of a single-file fixture whose model.safetensors {@code change} has rewritten. */
    private Path withTensors(String fixture, Consumer<Map<String, FloatTensor>> change) throws IOException {
        Path dir = edited(fixture, c -> { });
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            for (String n : st.names()) {
                tensors.put(n, st.read(n));
            }
        }
        change.accept(tensors);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return dir;
    }

    /** A copy of the sharded llama fixture whose index's weight_map {@code change} has rewritten. */
    private Path llamaWithWeightMap(Consumer<ObjectNode> change) throws IOException {
        Path dir = edited("llama", c -> { });
        Path index = dir.resolve("model.safetensors.index.json");
        ObjectNode root = (ObjectNode) JSON.readTree(index.toFile());
        change.accept((ObjectNode) root.get("weight_map"));
        JSON.writeValue(index.toFile(), root);
        return dir;
    }
}
