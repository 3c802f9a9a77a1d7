package io.circuitscope.core.checkpoint;

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

/** Test-side inverse of {@link HfGpt2Checkpoint}: writes TransformerLens-named weights in HF GPT-2 layout. */
public final class HfGpt2Writer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private HfGpt2Writer() {
    }

    /**
     * Writes config.json and model.safetensors; a tied checkpoint omits lm_head, so the weights' W_U must be W_E^T
     * and b_U must be zero (HF GPT-2 has no unembedding bias).
     */
    public static void write(Path dir, ModelWeights w, boolean prefixed, boolean tied) throws IOException {
        ModelConfig c = w.config();
        String p = prefixed ? "transformer." : "";
        int d = c.dModel();
        int h = c.nHeads();
        int dh = c.dHead();
        Map<String, FloatTensor> t = new LinkedHashMap<>();
        t.put(p + "wte.weight", w.get("embed.W_E"));
        t.put(p + "wpe.weight", w.get("pos_embed.W_pos"));
        for (int l = 0; l < c.nLayers(); l++) {
            String hf = p + "h." + l + ".";
            String tl = "blocks." + l + ".";
            t.put(hf + "ln_1.weight", w.get(tl + "ln1.w"));
            t.put(hf + "ln_1.bias", w.get(tl + "ln1.b"));
            float[] cAttn = new float[d * 3 * d];
            float[] cAttnBias = new float[3 * d];
            String[] parts = {"Q", "K", "V"};
            for (int i = 0; i < 3; i++) {
                float[] wq = w.get(tl + "attn.W_" + parts[i]).data();
                for (int head = 0; head < h; head++) {
                    for (int row = 0; row < d; row++) {
                        for (int e = 0; e < dh; e++) {
                            cAttn[row * 3 * d + i * d + head * dh + e] = wq[(head * d + row) * dh + e];
                        }
                    }
                }
                System.arraycopy(w.get(tl + "attn.b_" + parts[i]).data(), 0, cAttnBias, i * d, d);
            }
            t.put(hf + "attn.c_attn.weight", new FloatTensor(cAttn, d, 3 * d));
            t.put(hf + "attn.c_attn.bias", new FloatTensor(cAttnBias, 3 * d));
            t.put(hf + "attn.c_proj.weight", w.get(tl + "attn.W_O").reshape(d, d));
            t.put(hf + "attn.c_proj.bias", w.get(tl + "attn.b_O"));
            // A buffer real HF checkpoints carry; the loader must ignore it.
            t.put(hf + "attn.bias", FloatTensor.zeros(1, 1, c.nCtx(), c.nCtx()));
            t.put(hf + "ln_2.weight", w.get(tl + "ln2.w"));
            t.put(hf + "ln_2.bias", w.get(tl + "ln2.b"));
            t.put(hf + "mlp.c_fc.weight", w.get(tl + "mlp.W_in"));
            t.put(hf + "mlp.c_fc.bias", w.get(tl + "mlp.b_in"));
            t.put(hf + "mlp.c_proj.weight", w.get(tl + "mlp.W_out"));
            t.put(hf + "mlp.c_proj.bias", w.get(tl + "mlp.b_out"));
        }
        t.put(p + "ln_f.weight", w.get("ln_final.w"));
        t.put(p + "ln_f.bias", w.get("ln_final.b"));
        if (!tied) {
            t.put("lm_head.weight", w.get("unembed.W_U").transpose2d());
        }
        Files.createDirectories(dir);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt"));
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("model_type", "gpt2");
        cfg.put("n_layer", c.nLayers());
        cfg.put("n_embd", d);
        cfg.put("n_head", h);
        cfg.put("n_positions", c.nCtx());
        cfg.put("vocab_size", c.dVocab());
        cfg.put("n_inner", c.mlpWidth());
        cfg.put("activation_function", c.actFn());
        cfg.put("layer_norm_epsilon", c.eps());
        cfg.put("tie_word_embeddings", tied);
        JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
    }

    /** The same weights with W_U = W_E^T and b_U = 0, as a tied HF checkpoint stores them. */
    public static ModelWeights tie(ModelWeights w) {
        Map<String, FloatTensor> t = new LinkedHashMap<>(w.tensors());
        t.put("unembed.W_U", w.get("embed.W_E").transpose2d());
        t.put("unembed.b_U", FloatTensor.zeros(w.config().dVocab()));
        return new ModelWeights(w.config(), t);
    }

    /** The same weights with b_U = 0, as an untied HF checkpoint stores them. */
    public static ModelWeights withoutUnembedBias(ModelWeights w) {
        Map<String, FloatTensor> t = new LinkedHashMap<>(w.tensors());
        t.put("unembed.b_U", FloatTensor.zeros(w.config().dVocab()));
        return new ModelWeights(w.config(), t);
    }
}
