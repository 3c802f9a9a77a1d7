package io.circuitscope.core.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The architecture of a decoder-only transformer, with TransformerLens {@code HookedTransformerConfig} field names,
 * so that a native {@code config.json} reads and writes as TransformerLens would.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelConfig(
        @JsonProperty("n_layers") int nLayers,
        @JsonProperty("d_model") int dModel,
        @JsonProperty("n_heads") int nHeads,
        @JsonProperty("d_head") int dHead,
        @JsonProperty("d_mlp") Integer dMlp,
        @JsonProperty("d_vocab") int dVocab,
        @JsonProperty("n_ctx") int nCtx,
        @JsonProperty("act_fn") String actFn,
        // Written even when null: TransformerLens reads an absent normalization_type as "LN", not as none.
        @JsonProperty("normalization_type") @JsonInclude(JsonInclude.Include.ALWAYS) String normalizationType,
        @JsonProperty("attn_only") boolean attnOnly,
        @JsonProperty("positional_embedding_type") String positionalEmbeddingType,
        @JsonProperty("eps") double eps,
        @JsonProperty("bos_token_id") Integer bosTokenId,
        @JsonProperty("model_name") String modelName) {

    /** Normalization applied before attention, MLP and unembedding. */
    public enum Normalization {
        /** LayerNorm with learned weight and bias. */
        LN,
        /** LayerNorm without learned parameters (TransformerLens "LNPre"). */
        LN_PRE,
        /** No normalization. */
        NONE
    }

    /** Returns the normalization kind from TransformerLens's spellings: LN, LNPre, or null for none. */
    public Normalization normalization() {
        if (normalizationType == null) {
            return Normalization.NONE;
        }
        return switch (normalizationType) {
            case "LN" -> Normalization.LN;
            case "LNPre" -> Normalization.LN_PRE;
            default -> throw new IllegalStateException("unknown normalization_type " + normalizationType);
        };
    }

    /** True when the model has MLP blocks. */
    public boolean hasMlp() {
        return !attnOnly;
    }

    /** The MLP width; only meaningful when {@link #hasMlp()}. */
    public int mlpWidth() {
        return dMlp == null ? 4 * dModel : dMlp;
    }

    /** Returns a list of problems with this config, empty when it is usable. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        requirePositive(p, "n_layers", nLayers);
        requirePositive(p, "d_model", dModel);
        requirePositive(p, "n_heads", nHeads);
        requirePositive(p, "d_head", dHead);
        requirePositive(p, "d_vocab", dVocab);
        requirePositive(p, "n_ctx", nCtx);
        if (!attnOnly && dMlp != null) {
            requirePositive(p, "d_mlp", dMlp);
        }
        if (!attnOnly && !ActivationFunction.isKnown(actFn)) {
            p.add("act_fn must be one of " + ActivationFunction.KNOWN + ", got " + actFn);
        }
        if (normalizationType != null && !Set.of("LN", "LNPre").contains(normalizationType)) {
            p.add("normalization_type must be LN, LNPre or null, got " + normalizationType);
        }
        if (positionalEmbeddingType != null && !positionalEmbeddingType.equals("standard")) {
            p.add("positional_embedding_type must be standard, got " + positionalEmbeddingType);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            p.add("eps must be a positive number, got " + eps);
        }
        if (bosTokenId != null && (bosTokenId < 0 || bosTokenId >= dVocab)) {
            p.add("bos_token_id " + bosTokenId + " is outside the vocabulary (0.." + (dVocab - 1) + ")");
        }
        return p;
    }

    private static void requirePositive(List<String> problems, String field, int value) {
        if (value <= 0) {
            problems.add(field + " must be positive, got " + value);
        }
    }

    /** The number of trainable parameters this architecture has. */
    public long parameterCount() {
        long n = (long) dVocab * dModel + (long) nCtx * dModel;
        long perLayer = 4L * nHeads * dModel * dHead + 3L * nHeads * dHead + dModel;
        if (normalization() == Normalization.LN) {
            perLayer += 2L * dModel * (hasMlp() ? 2 : 1);
        }
        if (hasMlp()) {
            perLayer += 2L * dModel * mlpWidth() + mlpWidth() + dModel;
        }
        n += nLayers * perLayer;
        if (normalization() == Normalization.LN) {
            n += 2L * dModel;
        }
        n += (long) dModel * dVocab + dVocab;
        return n;
    }
}
