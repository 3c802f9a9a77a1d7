package io.circuitscope.core.checkpoint;

import io.circuitscope.core.model.ParameterSource;
import java.nio.file.Path;
import java.util.function.Function;

/** The on-disk layouts a model directory can have, told apart by its {@code config.json}. */
public enum CheckpointLayout {
    /** Hugging Face GPT-2: {@code model_type: "gpt2"}. */
    HF_GPT2(HfGpt2Checkpoint::parameters),
    /** Hugging Face GPT-NeoX (Pythia): {@code model_type: "gpt_neox"}. */
    HF_GPT_NEOX(HfGptNeoxCheckpoint::parameters),
    /** Hugging Face Llama, Mistral and Qwen2: {@code model_type} "llama", "mistral" or "qwen2". */
    HF_LLAMA(HfLlamaCheckpoint::parameters),
    /** TransformerLens field names, no {@code model_type}. */
    NATIVE(NativeCheckpoint::parameters);

    /** The {@code model_type} values this engine loads. */
    public static final String SUPPORTED_MODEL_TYPES = "gpt2, gpt_neox, llama, mistral, qwen2";

    private final Function<Path, ParameterSource> loader;

    CheckpointLayout(Function<Path, ParameterSource> loader) {
        this.loader = loader;
    }

    /**
     * Reads {@code dir/config.json} and says which layout it is; a {@code model_type} this engine does not load, or a
     * config that is neither, is an error listing what is supported rather than a guess.
     */
    public static CheckpointLayout of(Path dir) {
        ConfigJson config = ConfigJson.read(dir.resolve("config.json"));
        if (config.present("model_type")) {
            String type = config.text("model_type", null);
            if ("gpt2".equals(type)) {
                return HF_GPT2;
            }
            if ("gpt_neox".equals(type)) {
                return HF_GPT_NEOX;
            }
            if ("llama".equals(type) || "mistral".equals(type) || "qwen2".equals(type)) {
                return HF_LLAMA;
            }
            throw new CheckpointException(config.file() + ": model_type " + config.node("model_type")
                    + " is not supported (supported: " + SUPPORTED_MODEL_TYPES
                    + "; a native TransformerLens config has no model_type)");
        }
        if (config.present("n_layers") || config.present("d_model")) {
            return NATIVE;
        }
        throw new CheckpointException(config.file() + ": has no model_type and is not a TransformerLens config"
                + " (no n_layers or d_model); supported model_type values: " + SUPPORTED_MODEL_TYPES);
    }

    /** True for the layouts Hugging Face writes, which come with HF tokenizer files. */
    public boolean isHuggingFace() {
        return this != NATIVE;
    }

    /** The config of a directory in this layout, read and checked now, and its weights, streamed on demand. */
    public ParameterSource parameters(Path dir) {
        return loader.apply(dir);
    }
}
