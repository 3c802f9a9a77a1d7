package io.circuitscope.core.checkpoint;

import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ParameterSink;
import io.circuitscope.core.model.ParameterSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Loads a Hugging Face GPT-NeoX (Pythia) directory into TransformerLens-named weights: partial rotary embeddings,
 * parallel or sequential attention and MLP, the fused {@code query_key_value} projection whose rows hold each head's
 * query, key and value in turn, LayerNorm, and an untied (or tied) unembedding.
 */
public final class HfGptNeoxCheckpoint {
    private static final Pattern BUFFERS = Pattern.compile(
            "(gpt_neox\\.)?layers\\.\\d+\\.attention\\.(bias|masked_bias|rotary_emb\\.inv_freq)");
    private static final Map<String, String> ACTIVATIONS = Map.of("gelu", "gelu", "gelu_new", "gelu_new",
            "relu", "relu", "silu", "silu");

    private HfGptNeoxCheckpoint() {
    }

    static ModelConfig readConfig(ConfigJson c, Path dir) {
        int nLayers = c.positiveInt("num_hidden_layers");
        int dModel = c.positiveInt("hidden_size");
        int nHeads = c.positiveInt("num_attention_heads");
        // transformers' GPT-NeoX always splits hidden_size evenly and has no head_dim field.
        int dHead = HfConfigChecks.evenHeadWidth(c, "hidden_size", dModel, "num_attention_heads", nHeads, "");
        List<String> refusals = new ArrayList<>(HfConfigChecks.unsupportedFields(c));
        String act = c.text("hidden_act", "gelu");
        if (!ACTIVATIONS.containsKey(act)) {
            refusals.add("hidden_act \"" + act + "\" is not supported (" + String.join(", ",
                    new java.util.TreeSet<>(ACTIVATIONS.keySet())) + ")");
        }
        // Read for their types only: both are applied when the weights are loaded.
        c.flag("tie_word_embeddings", false);
        c.flag("attention_bias", true);
        HfRotaryConfig rope = HfRotaryConfig.read(c, dHead, "rotary_emb_base", "rotary_pct", 0.25);
        return HfConfigChecks.checked(c, new ModelConfig(nLayers, dModel, nHeads, dHead,
                c.positiveInt("intermediate_size"), c.positiveInt("vocab_size"),
                c.positiveInt("max_position_embeddings"), ACTIVATIONS.getOrDefault(act, act), "LN", false,
                ModelConfig.ROTARY, c.number("layer_norm_eps", 1e-5), c.optionalInt("bos_token_id"),
                HfConfigChecks.modelName(c, dir, "gpt-neox"), null, rope.rotaryDim(), rope.theta(),
                c.flag("use_parallel_residual", true), null, null, null, null, null, null, null), refusals);
    }

    /** The directory's config, read and checked now, and its weights, converted and checked each time they stream. */
    public static ParameterSource parameters(Path dir) {
        ConfigJson json = ConfigJson.read(dir.resolve("config.json"));
        ModelConfig cfg = readConfig(json, dir);
        boolean tied = json.flag("tie_word_embeddings", false);
        boolean bias = json.flag("attention_bias", true);
        SafetensorsCheckpoint.requirePresent(dir);
        return ParameterSource.of(cfg, sink -> stream(dir, cfg, tied, bias, sink));
    }

    private static void stream(Path dir, ModelConfig cfg, boolean tied, boolean bias, ParameterSink sink) {
        try (SafetensorsCheckpoint files = SafetensorsCheckpoint.open(dir)) {
            HfTensorReader r = new HfTensorReader(files.inventory(), "gpt_neox.", "embed_in.weight");
            int d = cfg.dModel();
            int h = cfg.nHeads();
            int dh = cfg.dHead();
            int mlp = cfg.mlpWidth();
            r.embeddings(sink, "embed_in.weight", "embed_out.weight", tied, cfg, dir.resolve("config.json").toString());
            for (int l = 0; l < cfg.nLayers(); l++) {
                String hf = "layers." + l + ".";
                String tl = "blocks." + l + ".";
                r.pass(sink, tl + "ln1.w", hf + "input_layernorm.weight", d);
                r.pass(sink, tl + "ln1.b", hf + "input_layernorm.bias", d);
                // Rows of the fused projection are [head][query, key, value][d_head]: per head, three blocks.
                FloatTensor qkv = r.read(hf + "attention.query_key_value.weight", 3 * h * dh, d);
                FloatTensor qkvBias = bias ? r.read(hf + "attention.query_key_value.bias", 3 * h * dh) : null;
                String[] parts = {"Q", "K", "V"};
                for (int i = 0; i < 3; i++) {
                    sink.accept(tl + "attn.W_" + parts[i], HfTensorReader.headsIn(qkv, i, 3, h, d, dh));
                    sink.accept(tl + "attn.b_" + parts[i], bias ? HfTensorReader.headsBias(qkvBias, i, 3, h, dh)
                            : FloatTensor.zeros(h, dh));
                }
                sink.accept(tl + "attn.W_O", r.headsOut(hf + "attention.dense.weight", h, dh, d));
                sink.accept(tl + "attn.b_O", r.vectorOrZeros(hf + "attention.dense.bias", bias, d));
                r.pass(sink, tl + "ln2.w", hf + "post_attention_layernorm.weight", d);
                r.pass(sink, tl + "ln2.b", hf + "post_attention_layernorm.bias", d);
                sink.accept(tl + "mlp.W_in", r.transposed(hf + "mlp.dense_h_to_4h.weight", mlp, d));
                r.pass(sink, tl + "mlp.b_in", hf + "mlp.dense_h_to_4h.bias", mlp);
                sink.accept(tl + "mlp.W_out", r.transposed(hf + "mlp.dense_4h_to_h.weight", d, mlp));
                r.pass(sink, tl + "mlp.b_out", hf + "mlp.dense_4h_to_h.bias", d);
            }
            r.pass(sink, "ln_final.w", "final_layer_norm.weight", d);
            r.pass(sink, "ln_final.b", "final_layer_norm.bias", d);
            files.inventory().requireAllUsed(name -> BUFFERS.matcher(name).matches(), dir.resolve("config.json"),
                    "check num_hidden_layers, attention_bias and tie_word_embeddings");
        }
    }
}
