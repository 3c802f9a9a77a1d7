package io.circuitscope.core.checkpoint;

import io.circuitscope.core.io.AtomicFileWriter;
import io.circuitscope.core.io.InputFile;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterSource;
import io.circuitscope.core.model.ParameterLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the native layout: a TransformerLens {@code config.json} plus a {@code model.safetensors}
 * with TransformerLens state-dict names.
 */
public final class NativeCheckpoint {
    /** TransformerLens flags that change the forward pass in ways this engine does not implement. */
    private static final List<String> UNSUPPORTED_FLAGS = List.of("scale_attn_by_inverse_layer_idx", "use_qk_norm",
            "post_embedding_ln", "use_normalization_before_and_after", "rotary_adjacent_pairs");

    private NativeCheckpoint() {
    }

    /**
     * Reads and validates the TransformerLens config of a native directory, applying TransformerLens's defaults
     * ({@code normalization_type} "LN", {@code eps} 1e-5, {@code d_mlp} 4 d_model) where a field is absent.
     */
    public static ModelConfig readConfig(Path dir) {
        ConfigJson json = ConfigJson.read(dir.resolve("config.json"));
        int nLayers = json.positiveInt("n_layers");
        int dModel = json.positiveInt("d_model");
        int nHeads = json.positiveInt("n_heads");
        int dHead = json.positiveInt("d_head");
        int dVocab = json.positiveInt("d_vocab");
        int nCtx = json.positiveInt("n_ctx");
        boolean attnOnly = json.flag("attn_only", false);
        Integer dMlp = json.optionalInt("d_mlp");
        // Absent means TransformerLens's default "LN"; an explicit null means no normalization, as in TransformerLens.
        String normalization = json.present("normalization_type") ? json.text("normalization_type", null) : "LN";
        // TransformerLens writes every field; the rotary ones mean something only in a rotary model.
        boolean rotary = ModelConfig.ROTARY.equals(json.text("positional_embedding_type", "standard"));
        boolean ntk = rotary && json.flag("use_NTK_by_parts_rope", false);
        Integer kvHeads = json.optionalInt("n_key_value_heads");
        ModelConfig cfg = new ModelConfig(nLayers, dModel, nHeads, dHead, dMlp, dVocab, nCtx,
                json.text("act_fn", null), normalization, attnOnly,
                json.text("positional_embedding_type", "standard"), json.number("eps", 1e-5),
                json.optionalInt("bos_token_id"), json.text("model_name", null),
                kvHeads, rotary ? json.optionalInt("rotary_dim") : null,
                rotary ? optionalNumber(json, "rotary_base") : null, json.flag("parallel_attn_mlp", false) ? true : null,
                json.flag("gated_mlp", false) ? true : null, localWindow(json),
                ntk ? true : null, ntk ? optionalNumber(json, "NTK_by_parts_factor") : null,
                ntk ? optionalNumber(json, "NTK_by_parts_low_freq_factor") : null,
                ntk ? optionalNumber(json, "NTK_by_parts_high_freq_factor") : null,
                ntk ? json.optionalInt("NTK_original_ctx_len") : null);
        List<String> problems = new ArrayList<>(cfg.problems());
        problems.addAll(unsupportedFeatures(json, cfg));
        if (!problems.isEmpty()) {
            throw new CheckpointException(json.file() + ": " + String.join("; ", problems));
        }
        return cfg;
    }

    /**
     * TransformerLens options that change the forward pass in ways this engine does not implement; loading such a
     * checkpoint silently would compute wrong logits.
     */
    private static List<String> unsupportedFeatures(ConfigJson json, ModelConfig cfg) {
        List<String> p = new ArrayList<>();
        for (String flag : UNSUPPORTED_FLAGS) {
            if (json.flag(flag, false)) {
                p.add(flag + " = true is not supported");
            }
        }
        if (!json.flag("use_attn_scale", true)) {
            p.add("use_attn_scale = false is not supported");
        }
        double attnScale = json.number("attn_scale", Math.sqrt(cfg.dHead()));
        if (attnScale != Math.sqrt(cfg.dHead())) {
            p.add("attn_scale " + attnScale + " is not supported (only the default sqrt(d_head) = "
                    + Math.sqrt(cfg.dHead()) + ")");
        }
        String direction = json.text("attention_dir", "causal");
        if (!direction.equals("causal")) {
            p.add("attention_dir \"" + direction + "\" is not supported (causal only)");
        }
        for (String cap : List.of("attn_scores_soft_cap", "output_logits_soft_cap")) {
            if (json.number(cap, -1) > 0) {
                p.add(cap + " > 0 is not supported");
            }
        }
        if (json.has("num_experts")) {
            p.add("num_experts (mixture of experts) is not supported");
        }
        if (json.flag("final_rms", false) && !cfg.normalization().isRms()) {
            p.add("final_rms = true with normalization_type " + cfg.normalizationType() + " is not supported");
        }
        Integer vocabOut = json.optionalInt("d_vocab_out");
        if (vocabOut != null && vocabOut != -1 && vocabOut != cfg.dVocab()) {
            p.add("d_vocab_out " + vocabOut + " differs from d_vocab " + cfg.dVocab() + ", which is not supported");
        }
        return p;
    }

    private static Double optionalNumber(ConfigJson json, String key) {
        return json.has(key) ? json.number(key, 0) : null;
    }

    /**
     * TransformerLens's local attention: the window every layer uses when use_local_attn is set and attn_types
     * makes every layer local; a model that mixes local and global layers is refused, the window being one setting.
     */
    private static Integer localWindow(ConfigJson json) {
        if (!json.flag("use_local_attn", false)) {
            return null;
        }
        Integer window = json.optionalInt("window_size");
        com.fasterxml.jackson.databind.JsonNode types = json.node("attn_types");
        boolean allLocal = types != null && types.isArray() && !types.isEmpty();
        for (int i = 0; allLocal && i < types.size(); i++) {
            allLocal = "local".equals(types.get(i).asText());
        }
        if (window == null || !allLocal) {
            throw new CheckpointException(json.file() + ": use_local_attn = true is supported only with window_size"
                    + " and attn_types \"local\" for every layer");
        }
        return window;
    }

    /**
     * Loads a native directory onto the heap, reporting any missing or misshaped tensor with its expected shape, and
     * any tensor the config does not use.
     */
    public static ModelWeights load(Path dir) {
        return ModelWeights.collect(parameters(dir));
    }

    /** The directory's config, read and checked now, and its weights, checked each time they are streamed. */
    public static ParameterSource parameters(Path dir) {
        ModelConfig cfg = readConfig(dir);
        Path file = InputFile.requireRegular(dir.resolve("model.safetensors"), "a native checkpoint needs it");
        return ParameterSource.of(cfg, sink -> {
            try (SafetensorsFile st = SafetensorsFile.open(file)) {
                TensorInventory inventory = new TensorInventory(st, file.toString());
                for (Map.Entry<String, int[]> e : ParameterLayout.of(cfg).entrySet()) {
                    sink.accept(e.getKey(), e.getValue(), inventory.fill(e.getKey(), e.getValue()));
                }
                inventory.requireAllUsed(name -> false, dir.resolve("config.json"),
                        "check n_layers, normalization_type, attn_only, n_key_value_heads and gated_mlp");
            }
        });
    }

    /** Writes config.json and model.safetensors into {@code dir}, each through a temp file moved into place. */
    public static void write(Path dir, ModelWeights weights) {
        try {
            AtomicFileWriter.writeJson(dir.resolve("config.json"), weights.config());
        } catch (IOException e) {
            throw CheckpointException.ioFailure(dir.resolve("config.json") + ": cannot write", e);
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), weights.tensors(), Map.of("format", "pt"));
    }
}
