package io.circuitscope.core.checkpoint;

import io.circuitscope.core.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks every Hugging Face config of a rotary architecture shares: the fields that would change the forward
 * pass in ways the engine does not implement (soft-capping, mixtures of experts, quantized weights) are refused by
 * name, and the finished config is checked as a whole.
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

    /** d_model / n_heads, the head width when the config gives none; an error when it does not divide. */
    static int headDim(ConfigJson c, String headDimKey, int dModel, int nHeads, String dModelKey, String headsKey) {
        Integer explicit = c.optionalInt(headDimKey);
        if (explicit != null) {
            if (explicit <= 0) {
                throw c.wrongType(headDimKey, "a positive integer", c.node(headDimKey));
            }
            return explicit;
        }
        if (dModel % nHeads != 0) {
            throw new CheckpointException(c.file() + ": " + dModelKey + " " + dModel + " is not divisible by "
                    + headsKey + " " + nHeads + " (and there is no " + headDimKey + ")");
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
