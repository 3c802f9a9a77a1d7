package io.circuitscope.core.checkpoint;

import io.circuitscope.core.io.AtomicFileWriter;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the native layout: a TransformerLens {@code config.json} plus a {@code model.safetensors}
 * with TransformerLens state-dict names.
 */
public final class NativeCheckpoint {
    private NativeCheckpoint() {
    }

    /** Reads and validates the TransformerLens config of a native directory. */
    public static ModelConfig readConfig(Path dir) {
        Path file = dir.resolve("config.json");
        ConfigJson json = ConfigJson.read(file);
        for (String key : List.of("n_layers", "d_model", "n_heads", "d_head", "d_vocab", "n_ctx")) {
            json.positiveInt(key);
        }
        ModelConfig cfg;
        try {
            cfg = ConfigJson.JSON.treeToValue(json.root(), ModelConfig.class);
        } catch (IOException e) {
            throw new CheckpointException(file + ": not a TransformerLens config ("
                    + ConfigJson.firstLine(e.getMessage()) + ")", e);
        }
        if (!json.has("eps")) {
            cfg = withEps(cfg, 1e-5);
        }
        List<String> problems = new java.util.ArrayList<>(cfg.problems());
        problems.addAll(unsupportedFeatures(json, cfg));
        if (!problems.isEmpty()) {
            throw new CheckpointException(file + ": " + String.join("; ", problems));
        }
        return cfg;
    }

    /**
     * TransformerLens options that change the forward pass in ways this engine does not implement; loading such a
     * checkpoint silently would compute wrong logits.
     */
    private static List<String> unsupportedFeatures(ConfigJson json, ModelConfig cfg) {
        List<String> p = new java.util.ArrayList<>();
        for (String flag : List.of("parallel_attn_mlp", "gated_mlp", "final_rms", "use_local_attn",
                "scale_attn_by_inverse_layer_idx", "use_qk_norm")) {
            if (json.root().path(flag).asBoolean(false)) {
                p.add(flag + " = true is not supported");
            }
        }
        if (!json.root().path("use_attn_scale").asBoolean(true)) {
            p.add("use_attn_scale = false is not supported");
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
        Integer kvHeads = json.optionalInt("n_key_value_heads");
        if (kvHeads != null && kvHeads != cfg.nHeads()) {
            p.add("grouped-query attention (n_key_value_heads " + kvHeads + " != n_heads " + cfg.nHeads()
                    + ") is not supported");
        }
        Integer vocabOut = json.optionalInt("d_vocab_out");
        if (vocabOut != null && vocabOut != -1 && vocabOut != cfg.dVocab()) {
            p.add("d_vocab_out " + vocabOut + " differs from d_vocab " + cfg.dVocab() + ", which is not supported");
        }
        return p;
    }

    /** Loads a native directory, reporting any missing or misshaped tensor with its expected shape. */
    public static ModelWeights load(Path dir) {
        ModelConfig cfg = readConfig(dir);
        Path file = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": file not found");
        }
        Map<String, FloatTensor> tensors = new HashMap<>();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            for (Map.Entry<String, int[]> e : ParameterLayout.of(cfg).entrySet()) {
                tensors.put(e.getKey(), st.read(e.getKey(), e.getValue()));
            }
        }
        return new ModelWeights(cfg, tensors);
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

    private static ModelConfig withEps(ModelConfig c, double eps) {
        return new ModelConfig(c.nLayers(), c.dModel(), c.nHeads(), c.dHead(), c.dMlp(), c.dVocab(), c.nCtx(),
                c.actFn(), c.normalizationType(), c.attnOnly(), c.positionalEmbeddingType(), eps, c.bosTokenId(),
                c.modelName());
    }
}
