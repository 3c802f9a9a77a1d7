package io.circuitscope.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

    /** Every dimension distinct, so that a count that swaps two of them comes out wrong. */
    private static ModelConfig config(int nLayers, Integer dMlp, String normalization, boolean attnOnly) {
        return new ModelConfig(nLayers, 6, 3, 5, dMlp, 11, 13, "gelu_new", normalization, attnOnly, "standard", 1e-5,
                null, "t");
    }

    private static ModelConfig withEps(double eps) {
        return new ModelConfig(1, 6, 3, 5, 7, 11, 13, "relu", "LN", false, "standard", eps, null, "eps");
    }

    private static ModelConfig withBos(Integer bos) {
        return new ModelConfig(1, 6, 3, 5, 7, 50, 13, "relu", "LN", false, "standard", 1e-5, bos, "bos");
    }

    @Test
    void normalizationReadsTransformerLensSpellings() {
        assertEquals(ModelConfig.Normalization.LN, config(1, 7, "LN", false).normalization());
        assertEquals(ModelConfig.Normalization.LN_PRE, config(1, 7, "LNPre", false).normalization());
        assertEquals(ModelConfig.Normalization.NONE, config(1, 7, null, false).normalization());
        assertEquals(ModelConfig.Normalization.RMS, config(1, 7, "RMS", false).normalization());
        assertEquals(ModelConfig.Normalization.RMS_PRE, config(1, 7, "RMSPre", false).normalization());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> config(1, 7, "RMSNorm", false).normalization());
        assertEquals("unknown normalization_type RMSNorm", e.getMessage());
    }

    @Test
    void mlpWidthDefaultsToFourTimesDModel() {
        assertEquals(24, config(1, null, "LN", false).mlpWidth());
        assertEquals(7, config(1, 7, "LN", false).mlpWidth());
        assertTrue(config(1, 7, "LN", false).hasMlp());
        assertFalse(config(1, 7, "LN", true).hasMlp());
    }

    @Test
    void aUsableConfigHasNoProblems() {
        assertEquals(List.of(), config(2, 7, "LN", false).problems());
        assertEquals(List.of(), config(2, null, "LNPre", false).problems());
        // The smallest legal values: every dimension 1, bos the only id, the smallest positive eps.
        assertEquals(List.of(), new ModelConfig(1, 1, 1, 1, 1, 1, 1, "silu", null, false, null, Double.MIN_VALUE, 0,
                "one").problems());
    }

    @Test
    void zeroDimensionsAreEachNamed() {
        ModelConfig zero = new ModelConfig(0, 0, 0, 0, 0, 0, 0, "gelu", "LN", false, "standard", 1e-5, null, "z");
        assertEquals(List.of(
                "n_layers must be positive, got 0",
                "d_model must be positive, got 0",
                "n_heads must be positive, got 0",
                "d_head must be positive, got 0",
                "d_vocab must be positive, got 0",
                "n_ctx must be positive, got 0",
                "d_mlp must be positive, got 0"), zero.problems());
    }

    @Test
    void negativeDimensionsAreNamed() {
        ModelConfig negative = new ModelConfig(-1, 6, -3, 5, -7, 11, -13, "gelu", "LN", false, null, 1e-5, null, "n");
        assertEquals(List.of(
                "n_layers must be positive, got -1",
                "n_heads must be positive, got -3",
                "n_ctx must be positive, got -13",
                "d_mlp must be positive, got -7"), negative.problems());
    }

    @Test
    void attentionOnlyModelsNeedNoMlpWidthOrActivation() {
        ModelConfig attnOnly = new ModelConfig(1, 6, 3, 5, 0, 11, 13, null, "LN", true, "standard", 1e-5, null, "a");
        assertEquals(List.of(), attnOnly.problems());
    }

    @Test
    void activationMustBeKnownWhenThereIsAnMlp() {
        ModelConfig tanh = new ModelConfig(1, 6, 3, 5, 7, 11, 13, "tanh", "LN", false, "standard", 1e-5, null, "t");
        assertEquals(List.of("act_fn must be one of [gelu_new, gelu, relu, silu], got tanh"), tanh.problems());
        ModelConfig none = new ModelConfig(1, 6, 3, 5, null, 11, 13, null, "LN", false, "standard", 1e-5, null, "n");
        assertEquals(List.of("act_fn must be one of [gelu_new, gelu, relu, silu], got null"), none.problems());
    }

    @Test
    void unsupportedNormalizationAndPositionalEmbeddingAreNamed() {
        assertEquals(List.of("normalization_type must be LN, LNPre, RMS, RMSPre or null, got BatchNorm"),
                config(1, 7, "BatchNorm", false).problems());
        ModelConfig alibi = new ModelConfig(1, 6, 3, 5, 7, 11, 13, "gelu", "LN", false, "alibi", 1e-5, null, "r");
        assertEquals(List.of("positional_embedding_type must be standard or rotary, got alibi"), alibi.problems());
        ModelConfig absent = new ModelConfig(1, 6, 3, 5, 7, 11, 13, "gelu", "LN", false, null, 1e-5, null, "a");
        assertEquals(List.of(), absent.problems());
    }

    @Test
    void epsMustBeAPositiveFiniteNumber() {
        assertEquals(List.of("eps must be a positive number, got 0.0"), withEps(0).problems());
        assertEquals(List.of("eps must be a positive number, got -1.0E-5"), withEps(-1e-5).problems());
        assertEquals(List.of("eps must be a positive number, got NaN"), withEps(Double.NaN).problems());
        assertEquals(List.of("eps must be a positive number, got Infinity"),
                withEps(Double.POSITIVE_INFINITY).problems());
        assertEquals(List.of(), withEps(1e-12).problems());
    }

    @Test
    void bosTokenMustBeInsideTheVocabulary() {
        assertEquals(List.of(), withBos(null).problems());
        assertEquals(List.of(), withBos(0).problems());
        assertEquals(List.of(), withBos(49).problems());
        assertEquals(List.of("bos_token_id 50 is outside the vocabulary (0..49)"), withBos(50).problems());
        assertEquals(List.of("bos_token_id -1 is outside the vocabulary (0..49)"), withBos(-1).problems());
    }

    @Test
    void parameterCountOfGpt2SmallCountsTheUnembedSeparately() {
        ModelConfig gpt2 = new ModelConfig(12, 768, 12, 64, 3072, 50257, 1024, "gelu_new", "LN", false, "standard",
                1e-5, 50256, "gpt2");
        // HF's 124,439,808 parameters plus an untied W_U [768, 50257] and b_U [50257], as TransformerLens holds them.
        assertEquals(124_439_808L + 768L * 50257 + 50257, gpt2.parameterCount());
    }

    @Test
    void parameterCountMatchesTheLayoutForEveryArchitecture() {
        // embed 66 + pos 78; attention per layer 4*3*6*5 + 3*3*5 + 6 = 411; unembed 66 + 11.
        assertEquals(1297, config(2, 7, "LN", false).parameterCount()); // + 2*(411 + 24 + 97) + 12
        assertEquals(1079, config(2, 7, "LN", true).parameterCount()); // + 2*(411 + 12) + 12
        assertEquals(1679, config(2, null, "LNPre", false).parameterCount()); // + 2*(411 + 288 + 24 + 6)
        assertEquals(632, config(1, 7, null, true).parameterCount()); // + 411
        for (ModelConfig c : List.of(config(2, 7, "LN", false), config(2, 7, "LN", true),
                config(2, null, "LNPre", false), config(3, 7, null, false), config(1, 7, null, true))) {
            long fromLayout = ParameterLayout.of(c).values().stream().mapToLong(FloatTensor::sizeOf).sum();
            assertEquals(fromLayout, c.parameterCount(), c.toString());
        }
    }

    /** d_head 8, 4 heads, rotary unless said otherwise; the architecture fields as given. */
    private static ModelConfig arch(String positions, Integer kv, Integer rotaryDim, Double base, Boolean gated,
                                     boolean attnOnly, Integer window, Boolean ntk, Double factor, Double low,
                                     Double high, Integer original) {
        return new ModelConfig(1, 16, 4, 8, attnOnly ? null : 32, 11, 13, attnOnly ? null : "silu", "RMS", attnOnly,
                positions, 1e-6, null, "a", kv, rotaryDim, base, null, gated, window, ntk, factor, low, high,
                original);
    }

    private static ModelConfig rotary(Integer rotaryDim, Double base) {
        return arch("rotary", null, rotaryDim, base, null, false, null, null, null, null, null, null);
    }

    private static ModelConfig llama3(double factor, double low, double high, int original) {
        return arch("rotary", null, null, null, null, false, null, true, factor, low, high, original);
    }

    @Test
    void keyValueHeadsMustDivideTheQueryHeads() {
        String expected = "n_key_value_heads must be a positive divisor of n_heads 4, got ";
        for (int kv : new int[] {0, -2, 3, 8}) {
            assertEquals(List.of(expected + kv), arch("rotary", kv, null, null, null, false, null, null, null, null,
                    null, null).problems());
        }
        for (int kv : new int[] {1, 2, 4}) {
            ModelConfig ok = arch("rotary", kv, null, null, null, false, null, null, null, null, null, null);
            assertEquals(List.of(), ok.problems());
            assertEquals(kv, ok.kvHeads());
            assertEquals(kv != 4, ok.grouped());
        }
        ModelConfig two = arch("rotary", 2, null, null, null, false, null, null, null, null, null, null);
        assertEquals(List.of(0, 0, 1, 1), List.of(two.kvHeadOf(0), two.kvHeadOf(1), two.kvHeadOf(2),
                two.kvHeadOf(3)), "repeat_interleave: query head h reads key-value head h / 2");
    }

    @Test
    void rotaryDimensionsMustBeEvenAndFitTheHead() {
        for (int dims : new int[] {0, -2, 3, 10}) {
            assertEquals(List.of("rotary_dim must be an even number from 2 to d_head 8, got " + dims),
                    rotary(dims, null).problems());
        }
        assertEquals(List.of(), rotary(2, null).problems());
        assertEquals(List.of(), rotary(8, null).problems());
        assertEquals(8, rotary(null, null).rotaryDims(), "all of d_head by default");
        assertEquals(10000.0, rotary(null, null).rotaryTheta());
        for (double base : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertEquals(List.of("rotary_base must be a positive number, got " + base), rotary(null, base).problems());
        }
        // A learned-position model ignores the rotary fields TransformerLens writes into every config.
        assertEquals(List.of(), arch("standard", null, 3, -1.0, null, false, null, null, null, null, null, null)
                .problems());
    }

    @Test
    void llama3ScalingNeedsOrderedPositiveFactors() {
        assertEquals(List.of(), llama3(8, 1, 4, 8192).problems());
        assertEquals(List.of(), llama3(1, 1, 1.5, 1).problems());
        String expected = "use_NTK_by_parts_rope needs NTK_by_parts_factor >= 1, 0 < NTK_by_parts_low_freq_factor <"
                + " NTK_by_parts_high_freq_factor and a positive NTK_original_ctx_len";
        for (ModelConfig bad : List.of(llama3(0.5, 1, 4, 8192), llama3(8, 0, 4, 8192), llama3(8, 4, 4, 8192),
                llama3(8, 4, 1, 8192), llama3(8, 1, 4, 0), llama3(Double.NaN, 1, 4, 8192),
                arch("rotary", null, null, null, null, false, null, true, null, 1.0, 4.0, 8192),
                arch("rotary", null, null, null, null, false, null, true, 8.0, null, 4.0, 8192),
                arch("rotary", null, null, null, null, false, null, true, 8.0, 1.0, null, 8192),
                arch("rotary", null, null, null, null, false, null, true, 8.0, 1.0, 4.0, null))) {
            assertEquals(List.of(expected), bad.problems(), bad.toString());
        }
    }

    @Test
    void windowsArePositiveAndGatingNeedsAnMlp() {
        assertEquals(List.of("window_size must be positive, got 0"),
                arch("rotary", null, null, null, null, false, 0, null, null, null, null, null).problems());
        assertEquals(List.of(), arch("rotary", null, null, null, null, false, 1, null, null, null, null, null)
                .problems());
        assertEquals(List.of("gated_mlp is set but the model is attention-only"),
                arch("rotary", null, null, null, true, true, null, null, null, null, null, null).problems());
        assertEquals(List.of(), arch("rotary", null, null, null, true, false, null, null, null, null, null, null)
                .problems());
    }
}
