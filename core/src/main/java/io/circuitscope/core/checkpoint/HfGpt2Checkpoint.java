package io.circuitscope.core.checkpoint;

import io.circuitscope.core.io.InputFile;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterSink;
import io.circuitscope.core.model.ParameterSource;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Loads a Hugging Face GPT-2 directory (config.json + model.safetensors) into TransformerLens-named weights,
 * accepting keys with or without the {@code transformer.} prefix and a tied or separate {@code lm_head}.
 */
public final class HfGpt2Checkpoint {
    private static final Pattern MASK_BUFFER = Pattern.compile("(transformer\\.)?h\\.\\d+\\.attn\\.(bias|masked_bias)");

    private HfGpt2Checkpoint() {
    }

    /** Reads the config of an HF GPT-2 directory into TransformerLens fields. */
    public static ModelConfig readConfig(Path dir) {
        return readConfig(ConfigJson.read(dir.resolve("config.json")), dir);
    }

    private static ModelConfig readConfig(ConfigJson c, Path dir) {
        int nLayers = c.positiveInt("n_layer");
        int dModel = c.positiveInt("n_embd");
        int nHeads = c.positiveInt("n_head");
        int dHead = HfConfigChecks.evenHeadWidth(c, "n_embd", dModel, "n_head", nHeads, "");
        int nCtx = c.positiveInt("n_positions");
        int vocab = c.positiveInt("vocab_size");
        Integer inner = c.optionalInt("n_inner");
        if (inner != null && inner <= 0) {
            throw c.wrongType("n_inner", "a positive integer or null", c.node("n_inner"));
        }
        String act = c.text("activation_function", "gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu") && !act.equals("relu")) {
            throw new CheckpointException(c.file() + ": activation_function \"" + act
                    + "\" is not supported (gelu_new, gelu or relu)");
        }
        // Both change the attention scores; loading such a checkpoint silently would give wrong logits.
        if (c.flag("scale_attn_by_inverse_layer_idx", false)) {
            throw new CheckpointException(c.file() + ": scale_attn_by_inverse_layer_idx = true is not supported");
        }
        if (!c.flag("scale_attn_weights", true)) {
            throw new CheckpointException(c.file() + ": scale_attn_weights = false is not supported");
        }
        if (c.flag("add_cross_attention", false)) {
            throw new CheckpointException(c.file() + ": add_cross_attention = true is not supported");
        }
        // Read for its type only: tie_word_embeddings is applied when the weights are loaded.
        c.flag("tie_word_embeddings", true);
        double eps = c.number("layer_norm_epsilon", 1e-5);
        Integer bos = c.optionalInt("bos_token_id");
        ModelConfig config = new ModelConfig(nLayers, dModel, nHeads, dHead,
                inner == null ? 4 * dModel : inner, vocab, nCtx, act, "LN", false, "standard", eps, bos,
                c.text("_name_or_path", dir.getFileName() == null ? "gpt2" : dir.getFileName().toString()));
        if (!config.problems().isEmpty()) {
            throw new CheckpointException(c.file() + ": " + String.join("; ", config.problems()));
        }
        return config;
    }

    /**
     * Loads and converts the weights onto the heap. Every missing or misshaped tensor is reported with its expected
     * shape, and every tensor the config does not use (other than GPT-2's attention-mask buffers) is an error.
     */
    public static ModelWeights load(Path dir) {
        return ModelWeights.collect(parameters(dir));
    }

    /**
     * The directory's config, read and checked now, and its weights, converted and checked each time they are
     * streamed, one tensor at a time, with the same checks as {@link #load(Path)}.
     */
    public static ParameterSource parameters(Path dir) {
        ConfigJson json = ConfigJson.read(dir.resolve("config.json"));
        ModelConfig cfg = readConfig(json, dir);
        boolean tied = json.flag("tie_word_embeddings", true);
        Path file = dir.resolve("model.safetensors");
        if (!InputFile.isPresent(file)) {
            throw new CheckpointException(file + ": file not found (only safetensors checkpoints are supported;"
                    + " convert pytorch_model.bin with safetensors' convert script)");
        }
        return ParameterSource.of(cfg, sink -> stream(dir, file, cfg, tied, sink));
    }

    private static void stream(Path dir, Path file, ModelConfig cfg, boolean tied, ParameterSink sink) {
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            TensorInventory inventory = new TensorInventory(st, file.toString());
            HfTensorReader r = new HfTensorReader(inventory, "transformer.", "wte.weight");
            int d = cfg.dModel();
            int h = cfg.nHeads();
            int dh = cfg.dHead();
            int mlp = cfg.mlpWidth();
            r.embeddings(sink, "wte.weight", "lm_head.weight", tied, cfg, dir.resolve("config.json").toString());
            r.pass(sink, "pos_embed.W_pos", "wpe.weight", cfg.nCtx(), d);
            for (int l = 0; l < cfg.nLayers(); l++) {
                String hf = "h." + l + ".";
                String tl = "blocks." + l + ".";
                r.pass(sink, tl + "ln1.w", hf + "ln_1.weight", d);
                r.pass(sink, tl + "ln1.b", hf + "ln_1.bias", d);
                FloatTensor cAttn = r.read(hf + "attn.c_attn.weight", d, 3 * d);
                FloatTensor cAttnBias = r.read(hf + "attn.c_attn.bias", 3 * d);
                String[] parts = {"Q", "K", "V"};
                for (int i = 0; i < 3; i++) {
                    sink.accept(tl + "attn.W_" + parts[i], splitHeadsIn(cAttn, i * d, d, h, dh));
                    sink.accept(tl + "attn.b_" + parts[i],
                            new FloatTensor(Arrays.copyOfRange(cAttnBias.data(), i * d, (i + 1) * d), h, dh));
                }
                // Conv1D c_proj is [in = head*d_head, out = d_model], which is exactly W_O flattened over heads.
                sink.accept(tl + "attn.W_O", new int[] {h, dh, d}, r.fill(hf + "attn.c_proj.weight", d, d));
                r.pass(sink, tl + "attn.b_O", hf + "attn.c_proj.bias", d);
                r.pass(sink, tl + "ln2.w", hf + "ln_2.weight", d);
                r.pass(sink, tl + "ln2.b", hf + "ln_2.bias", d);
                r.pass(sink, tl + "mlp.W_in", hf + "mlp.c_fc.weight", d, mlp);
                r.pass(sink, tl + "mlp.b_in", hf + "mlp.c_fc.bias", mlp);
                r.pass(sink, tl + "mlp.W_out", hf + "mlp.c_proj.weight", mlp, d);
                r.pass(sink, tl + "mlp.b_out", hf + "mlp.c_proj.bias", d);
            }
            r.pass(sink, "ln_final.w", "ln_f.weight", d);
            r.pass(sink, "ln_final.b", "ln_f.bias", d);
            inventory.requireAllUsed(HfGpt2Checkpoint::isMaskBuffer, dir.resolve("config.json"), "check n_layer");
        }
    }

    /** GPT-2's causal-mask buffers, which Hub checkpoints carry and transformers ignores. */
    private static boolean isMaskBuffer(String name) {
        return MASK_BUFFER.matcher(name).matches();
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
}
