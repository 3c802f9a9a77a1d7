package io.circuitscope.core.checkpoint;

import io.circuitscope.core.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks the Hugging Face configs share: head widths that must divide evenly, the fields that would change the
 * forward pass in ways the engine does not implement (soft-capping, mixtures of experts, quantized weights), refused
 * by name, and the finished config checked as a whole.
 */
final class HfConfigChecks {
    private static final List<String> UNSUPPORTED_WHEN_SET = List.of("attn_logit_softcapping",
            "final_logit_softcapping", "quantization_config");
    private static final List<String> EXPERT_COUNTS = List.of("num_local_experts", "num_experts", "n_routed_experts");

    private HfConfigChecks() {
    }

    /** The refusals for fields this config sets that no supported architecture reads. */
    static List<String> unsupportedFields(ConfigJson c) {
        List<String> p = new ArrayList<>();
        for (String key : UNSUPPORTED_WHEN_SET) {
            if (c.has(key)) {
                p.add(key + " is set (" + c.node(key) + "), which is not supported");
            }
        }
        for (String key : EXPERT_COUNTS) {
            Integer experts = c.has(key) && c.node(key).isIntegralNumber() ? c.optionalInt(key) : null;
            if (experts != null && experts > 0) {
                p.add(key + " " + experts + ": mixtures of experts are not supported");
            }
        }
        return p;
    }

    /** The Llama family's head width: head_dim when the config gives it, else hidden_size / num_attention_heads. */
    static int headDim(ConfigJson c, int dModel, int nHeads) {
        Integer explicit = c.optionalInt("head_dim");
        if (explicit != null) {
            if (explicit <= 0) {
                throw c.wrongType("head_dim", "a positive integer", c.node("head_dim"));
            }
            return explicit;
        }
        return evenHeadWidth(c, "hidden_size", dModel, "num_attention_heads", nHeads, " (and there is no head_dim)");
    }

    /**
     * d_model / n_heads, named by the config's own keys; an error when it does not divide.
     *
     * @param hint appended to the error, e.g. what else could have given the width
     */
    static int evenHeadWidth(ConfigJson c, String dModelKey, int dModel, String headsKey, int nHeads, String hint) {
        if (dModel % nHeads != 0) {
            throw new CheckpointException(c.file() + ": " + dModelKey + " " + dModel + " is not divisible by "
                    + headsKey + " " + nHeads + hint);
        }
        return dModel / nHeads;
    }

    /** Throws naming every problem, from the config's own checks and the caller's refusals. */
    static ModelConfig checked(ConfigJson c, ModelConfig config, List<String> refusals) {
        List<String> problems = new ArrayList<>(refusals);
        problems.addAll(config.problems());
        if (!problems.isEmpty()) {
            throw new CheckpointException(c.file() + ": " + String.join("; ", problems));
        }
        return config;
    }

    /** The name transformers saved the model under, else the directory's name. */
    static String modelName(ConfigJson c, java.nio.file.Path dir, String fallback) {
        return c.text("_name_or_path", dir.getFileName() == null ? fallback : dir.getFileName().toString());
    }
}
