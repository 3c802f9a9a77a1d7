package io.circuitscope.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The architecture of a decoder-only transformer, with TransformerLens {@code HookedTransformerConfig} field names,
 * so that a native {@code config.json} reads and writes as TransformerLens would. The architecture fields after
 * {@code model_name} are null for GPT-2-style models and are then left out of the JSON.
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
        @JsonProperty("model_name") String modelName,
        @JsonProperty("n_key_value_heads") Integer nKeyValueHeads,
        @JsonProperty("rotary_dim") Integer rotaryDim,
        @JsonProperty("rotary_base") Double rotaryBase,
        @JsonProperty("parallel_attn_mlp") Boolean parallelAttnMlp,
        @JsonProperty("gated_mlp") Boolean gatedMlp,
        @JsonProperty("window_size") Integer windowSize,
        @JsonProperty("use_NTK_by_parts_rope") Boolean useNtkByPartsRope,
        @JsonProperty("NTK_by_parts_factor") Double ntkByPartsFactor,
        @JsonProperty("NTK_by_parts_low_freq_factor") Double ntkByPartsLowFreqFactor,
        @JsonProperty("NTK_by_parts_high_freq_factor") Double ntkByPartsHighFreqFactor,
        @JsonProperty("NTK_original_ctx_len") Integer ntkOriginalCtxLen) {

    /** The positional embedding type of rotary models. */
    public static final String ROTARY = "rotary";

    @JsonCreator
    public ModelConfig {
    }

    /** A GPT-2-style architecture: learned positions, full multi-head attention, sequential blocks, plain MLP. */
    public ModelConfig(int nLayers, int dModel, int nHeads, int dHead, Integer dMlp, int dVocab, int nCtx,
                       String actFn, String normalizationType, boolean attnOnly, String positionalEmbeddingType,
                       double eps, Integer bosTokenId, String modelName) {
        this(nLayers, dModel, nHeads, dHead, dMlp, dVocab, nCtx, actFn, normalizationType, attnOnly,
                positionalEmbeddingType, eps, bosTokenId, modelName, null, null, null, null, null, null, null, null,
                null, null, null);
    }

    /** Normalization applied before attention, MLP and unembedding. */
    public enum Normalization {
        /** LayerNorm with learned weight and bias. */
        LN,
        /** LayerNorm without learned parameters (TransformerLens "LNPre"). */
        LN_PRE,
        /** RMSNorm with a learned weight (Llama, Mistral, Qwen2). */
        RMS,
        /** RMSNorm without learned parameters (TransformerLens "RMSPre"). */
        RMS_PRE,
        /** No normalization. */
        NONE;

        /** True for the RMS kinds, which do not subtract the mean. */
        public boolean isRms() {
            return this == RMS || this == RMS_PRE;
        }

        /** True when the normalization has a learned weight. */
        public boolean hasWeight() {
            return this == LN || this == RMS;
        }
    }

    /** Returns the normalization kind from TransformerLens's spellings: LN, LNPre, RMS, RMSPre, or null for none. */
    public Normalization normalization() {
        if (normalizationType == null) {
            return Normalization.NONE;
        }
        return switch (normalizationType) {
            case "LN" -> Normalization.LN;
            case "LNPre" -> Normalization.LN_PRE;
            case "RMS" -> Normalization.RMS;
            case "RMSPre" -> Normalization.RMS_PRE;
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

    /** The number of key and value heads: n_heads unless the model uses grouped-query attention. */
    public int kvHeads() {
        return nKeyValueHeads == null ? nHeads : nKeyValueHeads;
    }

    /** True when several query heads share each key and value head, which then has its own parameters. */
    public boolean grouped() {
        return kvHeads() != nHeads;
    }

    /**
     * True when key and value weights are stored once per key-value head, under TransformerLens's {@code attn._W_K}
     * etc.: whenever n_key_value_heads is given, as TransformerLens's grouped-query attention stores them even when
     * the count equals n_heads.
     */
    public boolean storesKeyValueHeads() {
        return nKeyValueHeads != null;
    }

    /** The key-value head that query head {@code head} reads, as repeat_interleave pairs them. */
    public int kvHeadOf(int head) {
        return head / (nHeads / kvHeads());
    }

    /** True when positions enter through rotary embeddings of queries and keys, not a learned W_pos. */
    public boolean rotary() {
        return ROTARY.equals(positionalEmbeddingType);
    }

    /** How many leading dimensions of each query and key head rotate; d_head unless rotary_dim says fewer. */
    public int rotaryDims() {
        return rotaryDim == null ? dHead : rotaryDim;
    }

    /** The rotary base θ: 10000 unless rotary_base says otherwise. */
    public double rotaryTheta() {
        return rotaryBase == null ? 10000.0 : rotaryBase;
    }

    /** True when attention and MLP both read the block's input and add to it together (GPT-NeoX, GPT-J). */
    public boolean parallel() {
        return Boolean.TRUE.equals(parallelAttnMlp);
    }

    /** True when the MLP is gated: act(x W_gate) * (x W_in + b_in), then W_out (Llama's SwiGLU). */
    public boolean gated() {
        return Boolean.TRUE.equals(gatedMlp);
    }

    /** True when rotary frequencies are rescaled by parts, as Llama 3's {@code rope_scaling} type "llama3" does. */
    public boolean ntkByParts() {
        return Boolean.TRUE.equals(useNtkByPartsRope);
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
        if (normalizationType != null && !Set.of("LN", "LNPre", "RMS", "RMSPre").contains(normalizationType)) {
            p.add("normalization_type must be LN, LNPre, RMS, RMSPre or null, got " + normalizationType);
        }
        if (positionalEmbeddingType != null && !positionalEmbeddingType.equals("standard") && !rotary()) {
            p.add("positional_embedding_type must be standard or rotary, got " + positionalEmbeddingType);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            p.add("eps must be a positive number, got " + eps);
        }
        if (bosTokenId != null && (bosTokenId < 0 || bosTokenId >= dVocab)) {
            p.add("bos_token_id " + bosTokenId + " is outside the vocabulary (0.." + (dVocab - 1) + ")");
        }
        if (nKeyValueHeads != null && (nKeyValueHeads <= 0 || nHeads % nKeyValueHeads != 0)) {
            p.add("n_key_value_heads must be a positive divisor of n_heads " + nHeads + ", got " + nKeyValueHeads);
        }
        rotaryProblems(p);
        if (windowSize != null && windowSize <= 0) {
            p.add("window_size must be positive, got " + windowSize);
        }
        if (gated() && attnOnly) {
            p.add("gated_mlp is set but the model is attention-only");
        }
        return p;
    }

    private void rotaryProblems(List<String> p) {
        if (!rotary()) {
            return;
        }
        int dims = rotaryDims();
        if (dims <= 0 || dims > dHead || dims % 2 != 0) {
            p.add("rotary_dim must be an even number from 2 to d_head " + dHead + ", got " + dims);
        }
        if (!(rotaryTheta() > 0) || Double.isInfinite(rotaryTheta())) {
            p.add("rotary_base must be a positive number, got " + rotaryTheta());
        }
        if (ntkByParts()) {
            if (ntkByPartsFactor == null || !(ntkByPartsFactor >= 1) || ntkByPartsLowFreqFactor == null
                    || ntkByPartsHighFreqFactor == null || !(ntkByPartsLowFreqFactor > 0)
                    || !(ntkByPartsHighFreqFactor > ntkByPartsLowFreqFactor) || ntkOriginalCtxLen == null
                    || ntkOriginalCtxLen <= 0) {
                p.add("use_NTK_by_parts_rope needs NTK_by_parts_factor >= 1, 0 < NTK_by_parts_low_freq_factor <"
                        + " NTK_by_parts_high_freq_factor and a positive NTK_original_ctx_len");
            }
        }
    }

    private static void requirePositive(List<String> problems, String field, int value) {
        if (value <= 0) {
            problems.add(field + " must be positive, got " + value);
        }
    }

    /** The number of trainable parameters this architecture has, counting every tensor its layout holds. */
    public long parameterCount() {
        return ParameterLayout.of(this).values().stream().mapToLong(FloatTensor::sizeOf).sum();
    }
}
