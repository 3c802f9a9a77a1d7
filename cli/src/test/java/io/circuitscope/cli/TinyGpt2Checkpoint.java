package io.circuitscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.checkpoint.HfGpt2Writer;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.RandomWeights;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A random two-layer HF GPT-2 checkpoint with GPT-2's full vocabulary and no tokenizer files, so circuitscope reads
 * it with GPT-2's BPE (names and ordinal words with a leading space) and BOS 50256.
 */
final class TinyGpt2Checkpoint {
    private TinyGpt2Checkpoint() {
    }

    static Path write(Path dir, int nCtx) throws IOException {
        ModelConfig c = new ModelConfig(2, 16, 2, 8, 32, 50257, nCtx, "gelu_new", "LN", false, "standard", 1e-5, null,
                "tiny-gpt2");
        HfGpt2Writer.write(dir, HfGpt2Writer.withoutUnembedBias(RandomWeights.dense(c, 8, 0.2)), true, false);
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        cfg.put("bos_token_id", 50256);
        json.writeValue(dir.resolve("config.json").toFile(), cfg);
        return dir;
    }
}
