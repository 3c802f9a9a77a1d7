package io.circuitscope.core.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ParameterLayout;
import io.circuitscope.core.model.ParameterSink;
import io.circuitscope.core.model.ParameterSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Loads a Hugging Face Llama, Mistral or Qwen2 directory into TransformerLens-named weights: RMSNorm, full or
 * partial rotary embeddings with optional Llama 3 scaling, grouped-query attention, a SwiGLU MLP, Qwen2's query, key
 * and value biases, Mistral's sliding window, and a tied or untied unembedding.
 */
public final class HfLlamaCheckpoint {
    private static final Pattern BUFFERS = Pattern.compile("(model\\.)?layers\\.\\d+\\.self_attn\\.rotary_emb\\.inv_freq");

    private HfLlamaCheckpoint() {
    }

    /** What the three model types differ in beyond their shared fields. */
    private record Family(boolean qkvBias, boolean outputBias) {
    }

    static ModelConfig readConfig(ConfigJson c, Path dir) {
        String type = c.text("model_type", "llama");
        int nLayers = c.positiveInt("num_hidden_layers");
        int dModel = c.positiveInt("hidden_size");
        int nHeads = c.positiveInt("num_attention_heads");
        Integer kvHeads = c.optionalInt("num_key_value_heads");
        int dHead = HfConfigChecks.headDim(c, dModel, nHeads);
        List<String> refusals = new ArrayList<>(HfConfigChecks.unsupportedFields(c));
        String act = c.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            refusals.add("hidden_act \"" + act + "\" is not supported (silu)");
        }
        if (c.flag("mlp_bias", false)) {
            refusals.add("mlp_bias = true is not supported (the gate projection's bias has no TransformerLens slot)");
        }
        family(c);
        c.flag("tie_word_embeddings", false);
        Integer window = slidingWindow(c, type, nLayers, refusals);
        HfRotaryConfig rope = HfRotaryConfig.read(c, dHead, null, null, 1.0);
        if (rope.rotaryDim() != dHead) {
            // transformers' Llama-family attention rotates whole heads; its cos/sin would not fit a partial rotation.
            refusals.add("a partial rotary factor (" + rope.rotaryDim() + " of head_dim " + dHead + " dims) is not"
                    + " supported for model_type " + type);
        }
        HfRotaryConfig.Llama3Scaling s = rope.llama3();
        return HfConfigChecks.checked(c, new ModelConfig(nLayers, dModel, nHeads, dHead,
                c.positiveInt("intermediate_size"), c.positiveInt("vocab_size"),
                c.positiveInt("max_position_embeddings"), "silu", "RMS", false, ModelConfig.ROTARY,
                c.number("rms_norm_eps", 1e-6), c.optionalInt("bos_token_id"),
                HfConfigChecks.modelName(c, dir, type), kvHeads == null || kvHeads == nHeads ? null : kvHeads,
                null, rope.theta(), null, true, window,
                s == null ? null : true, s == null ? null : s.factor(), s == null ? null : s.lowFreqFactor(),
                s == null ? null : s.highFreqFactor(), s == null ? null : s.originalContext()), refusals);
    }

    /**
     * Llama carries biases only when attention_bias says so; transformers' Mistral has none whatever the config says;
     * Qwen2 always has q/k/v biases, never an output bias.
     */
    private static Family family(ConfigJson c) {
        String type = c.text("model_type", "llama");
        if (type.equals("qwen2")) {
            return new Family(true, false);
        }
        boolean bias = type.equals("llama") && c.flag("attention_bias", false);
        return new Family(bias, bias);
    }

    /**
     * The sliding window every layer uses, or null. Mistral slides every layer when sliding_window is set; Qwen2
     * only with use_sliding_window, and then only layers from max_window_layers on (or as layer_types says); a model
     * whose layers differ is refused, as the window is one setting here.
     */
    private static Integer slidingWindow(ConfigJson c, String type, int nLayers, List<String> refusals) {
        Integer window = c.optionalInt("sliding_window");
        if (type.equals("llama") || window == null) {
            return null;
        }
        if (window <= 0) {
            throw c.wrongType("sliding_window", "a positive integer or null", c.node("sliding_window"));
        }
        if (type.equals("mistral")) {
            return window;
        }
        if (!c.flag("use_sliding_window", false)) {
            return null;
        }
        int sliding = 0;
        JsonNode types = c.node("layer_types");
        if (types != null && !types.isNull()) {
            if (!types.isArray() || types.size() != nLayers) {
                throw c.wrongType("layer_types", "a list of " + nLayers + " attention types", types);
            }
            for (JsonNode t : types) {
                sliding += "sliding_attention".equals(t.asText()) ? 1 : 0;
            }
        } else {
            // Qwen2Config's default: the first 28 layers attend fully.
            Integer full = c.optionalInt("max_window_layers");
            sliding = Math.max(0, nLayers - Math.max(0, full == null ? 28 : full));
        }
        if (sliding == 0) {
            return null;
        }
        if (sliding != nLayers) {
            refusals.add("use_sliding_window with " + sliding + " of " + nLayers + " layers sliding (see"
                    + " max_window_layers / layer_types) is not supported; only all layers or none");
        }
        return window;
    }

    /** The directory's config, read and checked now, and its weights, converted and checked each time they stream. */
    public static ParameterSource parameters(Path dir) {
        ConfigJson json = ConfigJson.read(dir.resolve("config.json"));
        ModelConfig cfg = readConfig(json, dir);
        boolean tied = json.flag("tie_word_embeddings", false);
        Family family = family(json);
        SafetensorsCheckpoint.requirePresent(dir);
        return ParameterSource.of(cfg, sink -> stream(dir, cfg, tied, family, sink));
    }

    private static void stream(Path dir, ModelConfig cfg, boolean tied, Family family, ParameterSink sink) {
        try (SafetensorsCheckpoint files = SafetensorsCheckpoint.open(dir)) {
            HfTensorReader r = new HfTensorReader(files.inventory(), "model.", "embed_tokens.weight");
            int d = cfg.dModel();
            int h = cfg.nHeads();
            int kv = cfg.kvHeads();
            int dh = cfg.dHead();
            int mlp = cfg.mlpWidth();
            r.embeddings(sink, "embed_tokens.weight", "lm_head.weight", tied, cfg,
                    dir.resolve("config.json").toString());
            for (int l = 0; l < cfg.nLayers(); l++) {
                String hf = "layers." + l + ".";
                String tl = "blocks." + l + ".";
                r.pass(sink, tl + "ln1.w", hf + "input_layernorm.weight", d);
                String a = hf + "self_attn.";
                sink.accept(tl + "attn.W_Q", r.headsIn(a + "q_proj.weight", h, d, dh));
                sink.accept(tl + "attn.b_Q", r.headsBiasOrZeros(a + "q_proj.bias", family.qkvBias(), h, dh));
                sink.accept(ParameterLayout.keyValueName(cfg, l, "W_K"), r.headsIn(a + "k_proj.weight", kv, d, dh));
                sink.accept(ParameterLayout.keyValueName(cfg, l, "b_K"), r.headsBiasOrZeros(a + "k_proj.bias", family.qkvBias(),
                        kv, dh));
                sink.accept(ParameterLayout.keyValueName(cfg, l, "W_V"), r.headsIn(a + "v_proj.weight", kv, d, dh));
                sink.accept(ParameterLayout.keyValueName(cfg, l, "b_V"), r.headsBiasOrZeros(a + "v_proj.bias", family.qkvBias(),
                        kv, dh));
                sink.accept(tl + "attn.W_O", r.headsOut(a + "o_proj.weight", h, dh, d));
                sink.accept(tl + "attn.b_O", r.vectorOrZeros(a + "o_proj.bias", family.outputBias(), d));
                r.pass(sink, tl + "ln2.w", hf + "post_attention_layernorm.weight", d);
                sink.accept(tl + "mlp.W_in", r.transposed(hf + "mlp.up_proj.weight", mlp, d));
                sink.accept(tl + "mlp.W_gate", r.transposed(hf + "mlp.gate_proj.weight", mlp, d));
                sink.accept(tl + "mlp.b_in", io.circuitscope.core.model.FloatTensor.zeros(mlp));
                sink.accept(tl + "mlp.W_out", r.transposed(hf + "mlp.down_proj.weight", d, mlp));
                sink.accept(tl + "mlp.b_out", io.circuitscope.core.model.FloatTensor.zeros(d));
            }
            r.pass(sink, "ln_final.w", "norm.weight", d);
            files.inventory().requireAllUsed(name -> BUFFERS.matcher(name).matches(), dir.resolve("config.json"),
                    "check num_hidden_layers, num_key_value_heads, attention_bias and tie_word_embeddings");
        }
    }
}
