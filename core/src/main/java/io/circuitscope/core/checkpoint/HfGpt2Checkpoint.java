package io.circuitscope.core.checkpoint;

import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads a Hugging Face GPT-2 directory (config.json + model.safetensors) into TransformerLens-named weights,
 * accepting keys with or without the {@code transformer.} prefix and a tied or separate {@code lm_head}.
 */
public final class HfGpt2Checkpoint {
    private HfGpt2Checkpoint() {
    }

    /** True when {@code dir/config.json} declares {@code model_type: gpt2}. */
    public static boolean isHfGpt2(Path dir) {
        Path cfg = dir.resolve("config.json");
        return Files.isRegularFile(cfg) && "gpt2".equals(ConfigJson.read(cfg).text("model_type", null));
    }

    /** Reads the config of an HF GPT-2 directory into TransformerLens fields. */
    public static ModelConfig readConfig(Path dir) {
        ConfigJson c = ConfigJson.read(dir.resolve("config.json"));
        int nLayers = c.positiveInt("n_layer");
        int dModel = c.positiveInt("n_embd");
        int nHeads = c.positiveInt("n_head");
        if (dModel % nHeads != 0) {
            throw new CheckpointException(c.file() + ": n_embd " + dModel + " is not divisible by n_head " + nHeads);
        }
        int nCtx = c.positiveInt("n_positions");
        int vocab = c.positiveInt("vocab_size");
        Integer inner = c.optionalInt("n_inner");
        String act = c.text("activation_function", "gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu") && !act.equals("relu")) {
            throw new CheckpointException(c.file() + ": activation_function \"" + act
                    + "\" is not supported (gelu_new, gelu or relu)");
        }
        // Both change the attention scores; loading such a checkpoint silently would give wrong logits.
        if (c.root().path("scale_attn_by_inverse_layer_idx").asBoolean(false)) {
            throw new CheckpointException(c.file() + ": scale_attn_by_inverse_layer_idx = true is not supported");
        }
        if (!c.root().path("scale_attn_weights").asBoolean(true)) {
            throw new CheckpointException(c.file() + ": scale_attn_weights = false is not supported");
        }
        double eps = c.number("layer_norm_epsilon", 1e-5);
        Integer bos = c.optionalInt("bos_token_id");
        ModelConfig config = new ModelConfig(nLayers, dModel, nHeads, dModel / nHeads,
                inner == null ? 4 * dModel : inner, vocab, nCtx, act, "LN", false, "standard", eps, bos,
                c.text("_name_or_path", dir.getFileName() == null ? "gpt2" : dir.getFileName().toString()));
        if (!config.problems().isEmpty()) {
            throw new CheckpointException(c.file() + ": " + String.join("; ", config.problems()));
        }
        return config;
    }

    /** Loads and converts the weights; every missing or misshaped tensor is reported with its expected shape. */
    public static ModelWeights load(Path dir) {
        ModelConfig cfg = readConfig(dir);
        Path file = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": file not found (only safetensors checkpoints are supported;"
                    + " convert pytorch_model.bin with safetensors' convert script)");
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            String prefix = st.names().contains("transformer.wte.weight") ? "transformer." : "";
            Reader r = new Reader(st, prefix);
            int d = cfg.dModel();
            int h = cfg.nHeads();
            int dh = cfg.dHead();
            int mlp = cfg.mlpWidth();
            Map<String, FloatTensor> out = new HashMap<>();
            FloatTensor wte = r.read("wte.weight", cfg.dVocab(), d);
            out.put("embed.W_E", wte);
            out.put("pos_embed.W_pos", r.read("wpe.weight", cfg.nCtx(), d));
            for (int l = 0; l < cfg.nLayers(); l++) {
                String hf = "h." + l + ".";
                String tl = "blocks." + l + ".";
                out.put(tl + "ln1.w", r.read(hf + "ln_1.weight", d));
                out.put(tl + "ln1.b", r.read(hf + "ln_1.bias", d));
                FloatTensor cAttn = r.read(hf + "attn.c_attn.weight", d, 3 * d);
                FloatTensor cAttnBias = r.read(hf + "attn.c_attn.bias", 3 * d);
                String[] parts = {"Q", "K", "V"};
                for (int i = 0; i < 3; i++) {
                    out.put(tl + "attn.W_" + parts[i], splitHeadsIn(cAttn, i * d, d, h, dh));
                    out.put(tl + "attn.b_" + parts[i],
                            new FloatTensor(Arrays.copyOfRange(cAttnBias.data(), i * d, (i + 1) * d), h, dh));
                }
                // Conv1D c_proj is [in = head*d_head, out = d_model], which is exactly W_O flattened over heads.
                out.put(tl + "attn.W_O", r.read(hf + "attn.c_proj.weight", d, d).reshape(h, dh, d));
                out.put(tl + "attn.b_O", r.read(hf + "attn.c_proj.bias", d));
                out.put(tl + "ln2.w", r.read(hf + "ln_2.weight", d));
                out.put(tl + "ln2.b", r.read(hf + "ln_2.bias", d));
                out.put(tl + "mlp.W_in", r.read(hf + "mlp.c_fc.weight", d, mlp));
                out.put(tl + "mlp.b_in", r.read(hf + "mlp.c_fc.bias", mlp));
                out.put(tl + "mlp.W_out", r.read(hf + "mlp.c_proj.weight", mlp, d));
                out.put(tl + "mlp.b_out", r.read(hf + "mlp.c_proj.bias", d));
            }
            out.put("ln_final.w", r.read("ln_f.weight", d));
            out.put("ln_final.b", r.read("ln_f.bias", d));
            // HF stores lm_head at the top level even when the body carries the transformer. prefix.
            FloatTensor lmHead = st.names().contains("lm_head.weight")
                    ? st.read("lm_head.weight", cfg.dVocab(), d)
                    : wte;
            out.put("unembed.W_U", lmHead.transpose2d());
            out.put("unembed.b_U", FloatTensor.zeros(cfg.dVocab()));
            return new ModelWeights(cfg, out);
        }
    }

    /** Columns [from, from + d) of a Conv1D [d_model, 3 d_model] weight, as [n_heads, d_model, d_head]. */
    private static FloatTensor splitHeadsIn(FloatTensor cAttn, int from, int d, int h, int dh) {
        int cols = cAttn.dim(1);
        float[] src = cAttn.data();
        float[] dst = new float[h * d * dh];
        for (int row = 0; row < d; row++) {
            for (int head = 0; head < h; head++) {
                System.arraycopy(src, row * cols + from + head * dh, dst, (head * d + row) * dh, dh);
            }
        }
        return new FloatTensor(dst, h, d, dh);
    }

    /** Reads body tensors under the detected key prefix. */
    private record Reader(SafetensorsFile file, String prefix) {
        FloatTensor read(String name, int... shape) {
            return file.read(prefix + name, shape);
        }
    }
}
