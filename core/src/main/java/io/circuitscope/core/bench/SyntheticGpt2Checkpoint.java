package io.circuitscope.core.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import io.circuitscope.core.checkpoint.SafetensorsWriter;
import io.circuitscope.core.io.AtomicFileWriter;
import io.circuitscope.core.model.FloatTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a Hugging Face GPT-2 directory (tied embeddings, {@code transformer.} prefix, as the Hub ships GPT-2) of a
 * given shape with random weights, one tensor at a time, so that checkpoints larger than the heap can be made.
 */
public final class SyntheticGpt2Checkpoint {
    private final int layers;
    private final int dModel;
    private final int heads;
    private final int vocab;
    private final int positions;

    public SyntheticGpt2Checkpoint(int layers, int dModel, int heads, int vocab, int positions) {
        this.layers = layers;
        this.dModel = dModel;
        this.heads = heads;
        this.vocab = vocab;
        this.positions = positions;
    }

    /** GPT-2 medium's shape: 24 layers, d_model 1024, 16 heads, 50257 tokens, 1024 positions (355M parameters). */
    public static SyntheticGpt2Checkpoint gpt2Medium() {
        return new SyntheticGpt2Checkpoint(24, 1024, 16, 50257, 1024);
    }

    /** Every tensor of the safetensors file with its shape, in file order. */
    public Map<String, int[]> shapes() {
        int d = dModel;
        Map<String, int[]> s = new LinkedHashMap<>();
        s.put("transformer.wte.weight", new int[] {vocab, d});
        s.put("transformer.wpe.weight", new int[] {positions, d});
        for (int l = 0; l < layers; l++) {
            String p = "transformer.h." + l + ".";
            s.put(p + "ln_1.weight", new int[] {d});
            s.put(p + "ln_1.bias", new int[] {d});
            s.put(p + "attn.c_attn.weight", new int[] {d, 3 * d});
            s.put(p + "attn.c_attn.bias", new int[] {3 * d});
            s.put(p + "attn.c_proj.weight", new int[] {d, d});
            s.put(p + "attn.c_proj.bias", new int[] {d});
            s.put(p + "ln_2.weight", new int[] {d});
            s.put(p + "ln_2.bias", new int[] {d});
            s.put(p + "mlp.c_fc.weight", new int[] {d, 4 * d});
            s.put(p + "mlp.c_fc.bias", new int[] {4 * d});
            s.put(p + "mlp.c_proj.weight", new int[] {4 * d, d});
            s.put(p + "mlp.c_proj.bias", new int[] {d});
        }
        s.put("transformer.ln_f.weight", new int[] {d});
        s.put("transformer.ln_f.bias", new int[] {d});
        return s;
    }

    /** The size of the weights as float32, which is the file's size less its header. */
    public long float32Bytes() {
        return shapes().values().stream().mapToLong(FloatTensor::sizeOf).sum() * Float.BYTES;
    }

    /** Writes config.json and model.safetensors into {@code dir}; weights are uniform in ±0.02, norms' weights 1. */
    public void write(Path dir, long seed) {
        ObjectNode cfg = new ObjectMapper().createObjectNode();
        cfg.put("model_type", "gpt2");
        cfg.put("n_layer", layers);
        cfg.put("n_embd", dModel);
        cfg.put("n_head", heads);
        cfg.put("vocab_size", vocab);
        cfg.put("n_positions", positions);
        cfg.put("n_ctx", positions);
        cfg.put("activation_function", "gelu_new");
        cfg.put("layer_norm_epsilon", 1e-5);
        cfg.put("bos_token_id", vocab - 1);
        try {
            AtomicFileWriter.writeJson(dir.resolve("config.json"), cfg);
        } catch (IOException e) {
            throw new UncheckedIOException(dir.resolve("config.json") + ": cannot write", e);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, int[]> shapes = shapes();
        SafetensorsWriter.write(dir.resolve("model.safetensors"), shapes, Map.of("format", "pt"), name -> {
            float[] values = new float[Math.toIntExact(FloatTensor.sizeOf(shapes.get(name)))];
            boolean normWeight = name.contains("ln_") && name.endsWith(".weight");
            for (int i = 0; i < values.length; i++) {
                values[i] = normWeight ? 1f : (float) ((rng.nextDouble() - 0.5) * 0.04);
            }
            return new FloatTensor(values, shapes.get(name));
        });
    }
}
