package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReferenceTransformerTest {

    private static final int[][] TOKENS = {{1, 4, 2, 9, 0, 7}, {3, 3, 8, 5, 6, 1}};

    /** 2 layers, D=8, H=2, dh=4, M=16, V=11, n_ctx=10, in three variants that cover every normalization. */
    static Stream<ModelConfig> configs() {
        return Stream.of(
                config("LN", false, "gelu"),
                config("LNPre", false, "gelu_new"),
                config(null, true, null));
    }

    private static ModelConfig config(String normalization, boolean attnOnly, String actFn) {
        return new ModelConfig(2, 8, 2, 4, 16, 11, 10, actFn, normalization, attnOnly, "standard", 1e-5, null, "tiny");
    }

    /** Every parameter the config needs, filled with seeded Gaussian values. */
    private static ModelWeights randomWeights(ModelConfig config) {
        Random random = new Random(42);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : ParameterLayout.of(config).entrySet()) {
            FloatTensor t = FloatTensor.zeros(e.getValue());
            for (int i = 0; i < t.data().length; i++) {
                t.data()[i] = (float) (0.5 * random.nextGaussian());
            }
            tensors.put(e.getKey(), t);
        }
        return new ModelWeights(config, tensors);
    }

    private static ReferenceTransformer randomModel(ModelConfig config) {
        return new ReferenceTransformer(randomWeights(config));
    }

    private static ReferenceTransformer defaultModel() {
        return randomModel(config("LN", false, "gelu"));
    }

    /** A hook that records the value at each named hook point and changes nothing. */
    private static ReferenceTransformer.Hook capture(Map<String, DoubleTensor> into) {
        return (name, value) -> {
            into.put(name, value);
            return value;
        };
    }

    @ParameterizedTest
    @MethodSource("configs")
    void laterTokensDoNotChangeEarlierLogits(ModelConfig config) {
        ReferenceTransformer model = randomModel(config);
        int[][] changed = {TOKENS[0].clone(), TOKENS[1].clone()};
        changed[0][4] = 10;
        changed[1][4] = 2;
        DoubleTensor before = model.logits(TOKENS);
        DoubleTensor after = model.logits(changed);
        int vocab = before.dim(2);
        for (int b = 0; b < 2; b++) {
            for (int v = 0; v < vocab; v++) {
                for (int p = 0; p < 4; p++) {
                    // Exact: masked keys contribute exactly zero, so earlier positions see identical arithmetic.
                    assertEquals(before.get(b, p, v), after.get(b, p, v), 0.0);
                }
            }
            assertNotEquals(before.get(b, 4, 0), after.get(b, 4, 0));
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void identityHookEqualsNoHookAndSeesEveryHookPointInOrder(ModelConfig config) {
        ReferenceTransformer model = randomModel(config);
        DoubleTensor hooked = model.logits(TOKENS, (name, value) -> value.copy());
        assertEquals(0.0, model.logits(TOKENS).maxAbsDiff(hooked));
        List<String> seen = new ArrayList<>();
        model.logits(TOKENS, (name, value) -> {
            seen.add(name);
            return value;
        });

        boolean norm = config.normalization() != ModelConfig.Normalization.NONE;
        List<String> expected = new ArrayList<>(List.of("hook_embed", "hook_pos_embed"));
        for (int layer = 0; layer < 2; layer++) {
            String b = "blocks." + layer + ".";
            expected.addAll(List.of(b + "hook_resid_pre", b + "hook_q_input", b + "hook_k_input", b + "hook_v_input"));
            if (norm) {
                expected.addAll(List.of(b + "ln1.hook_scale", b + "ln1.hook_normalized"));
            }
            expected.addAll(List.of(b + "attn.hook_q", b + "attn.hook_k", b + "attn.hook_v", b + "attn.hook_attn_scores",
                    b + "attn.hook_pattern", b + "attn.hook_z", b + "attn.hook_result", b + "hook_attn_out"));
            if (config.hasMlp()) {
                expected.addAll(List.of(b + "hook_resid_mid", b + "hook_mlp_in"));
                if (norm) {
                    expected.addAll(List.of(b + "ln2.hook_scale", b + "ln2.hook_normalized"));
                }
                expected.addAll(List.of(b + "mlp.hook_pre", b + "mlp.hook_post", b + "hook_mlp_out"));
            }
            expected.add(b + "hook_resid_post");
        }
        if (norm) {
            expected.addAll(List.of("ln_final.hook_scale", "ln_final.hook_normalized"));
        }
        assertEquals(expected, seen);
    }

    @Test
    void hookPointsHaveTransformerLensShapes() {
        Map<String, DoubleTensor> acts = new HashMap<>();
        DoubleTensor logits = defaultModel().logits(TOKENS, capture(acts));
        assertTrue(logits.hasShape(2, 6, 11));
        assertTrue(acts.get("hook_embed").hasShape(2, 6, 8));
        assertTrue(acts.get("blocks.1.hook_q_input").hasShape(2, 6, 2, 8));
        assertTrue(acts.get("blocks.1.attn.hook_k").hasShape(2, 6, 2, 4));
        assertTrue(acts.get("blocks.1.attn.hook_attn_scores").hasShape(2, 2, 6, 6));
        assertTrue(acts.get("blocks.1.attn.hook_pattern").hasShape(2, 2, 6, 6));
        assertTrue(acts.get("blocks.1.attn.hook_z").hasShape(2, 6, 2, 4));
        assertTrue(acts.get("blocks.1.attn.hook_result").hasShape(2, 6, 2, 8));
        assertTrue(acts.get("blocks.1.mlp.hook_post").hasShape(2, 6, 16));
        assertTrue(acts.get("ln_final.hook_normalized").hasShape(2, 6, 8));
    }

    @Test
    void patternRowsAreCausalDistributions() {
        Map<String, DoubleTensor> acts = new HashMap<>();
        defaultModel().logits(TOKENS, capture(acts));
        DoubleTensor scores = acts.get("blocks.0.attn.hook_attn_scores");
        DoubleTensor pattern = acts.get("blocks.0.attn.hook_pattern");
        for (int b = 0; b < 2; b++) {
            for (int h = 0; h < 2; h++) {
                for (int q = 0; q < 6; q++) {
                    double sum = 0;
                    for (int k = 0; k < 6; k++) {
                        if (k > q) {
                            assertEquals(Double.NEGATIVE_INFINITY, scores.get(b, h, q, k));
                            assertEquals(0.0, pattern.get(b, h, q, k));
                        }
                        sum += pattern.get(b, h, q, k);
                    }
                    assertEquals(1.0, sum, 1e-14);
                }
            }
        }
    }

    @Test
    void zeroPatternLeavesOnlyTheOutputBias() {
        ModelWeights weights = randomWeights(config("LN", false, "gelu"));
        Map<String, DoubleTensor> acts = new HashMap<>();
        ReferenceTransformer.Hook hook = (name, value) -> {
            acts.put(name, value);
            return name.equals("blocks.0.attn.hook_pattern") ? DoubleTensor.zeros(value.shape) : value;
        };
        new ReferenceTransformer(weights).logits(TOKENS, hook);
        DoubleTensor bO = DoubleTensor.of(weights.get("blocks.0.attn.b_O"));
        DoubleTensor attnOut = acts.get("blocks.0.hook_attn_out");
        for (int b = 0; b < 2; b++) {
            for (int p = 0; p < 6; p++) {
                for (int i = 0; i < 8; i++) {
                    assertEquals(bO.get(i), attnOut.get(b, p, i), 0.0);
                }
            }
        }
    }

    @Test
    void patchingOneHeadsQueryInputChangesOnlyThatHeadsQuery() {
        ReferenceTransformer model = defaultModel();
        Map<String, DoubleTensor> clean = new HashMap<>();
        model.logits(TOKENS, capture(clean));

        Map<String, DoubleTensor> patched = new HashMap<>();
        model.logits(TOKENS, (name, value) -> {
            DoubleTensor out = value;
            if (name.equals("blocks.0.hook_q_input")) {
                out = value.copy();
                for (int b = 0; b < 2; b++) {
                    for (int p = 0; p < 6; p++) {
                        for (int i = 0; i < 8; i++) {
                            out.set(value.get(b, p, 1, i) + 0.3 * (i - 3.5), b, p, 1, i);
                        }
                    }
                }
            }
            patched.put(name, out);
            return out;
        });

        DoubleTensor q0 = clean.get("blocks.0.attn.hook_q");
        DoubleTensor q1 = patched.get("blocks.0.attn.hook_q");
        for (int b = 0; b < 2; b++) {
            for (int p = 0; p < 6; p++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(q0.get(b, p, 0, j), q1.get(b, p, 0, j), 0.0);
                }
                assertNotEquals(q0.get(b, p, 1, 0), q1.get(b, p, 1, 0));
            }
        }
        assertEquals(0.0, clean.get("blocks.0.attn.hook_k").maxAbsDiff(patched.get("blocks.0.attn.hook_k")));
        assertEquals(0.0, clean.get("blocks.0.attn.hook_v").maxAbsDiff(patched.get("blocks.0.attn.hook_v")));
        assertTrue(clean.get("blocks.0.hook_attn_out").maxAbsDiff(patched.get("blocks.0.hook_attn_out")) > 1e-6);
    }

    @Test
    void perHeadResultsSumToAttentionOutputMinusBias() {
        ModelWeights weights = randomWeights(config("LN", false, "gelu"));
        Map<String, DoubleTensor> acts = new HashMap<>();
        new ReferenceTransformer(weights).logits(TOKENS, capture(acts));
        for (int layer = 0; layer < 2; layer++) {
            DoubleTensor result = acts.get("blocks." + layer + ".attn.hook_result");
            DoubleTensor attnOut = acts.get("blocks." + layer + ".hook_attn_out");
            DoubleTensor bO = DoubleTensor.of(weights.get("blocks." + layer + ".attn.b_O"));
            for (int b = 0; b < 2; b++) {
                for (int p = 0; p < 6; p++) {
                    for (int i = 0; i < 8; i++) {
                        double heads = result.get(b, p, 0, i) + result.get(b, p, 1, i);
                        assertEquals(attnOut.get(b, p, i) - bO.get(i), heads, 1e-12);
                    }
                }
            }
        }
    }

    @Test
    void hookMustKeepTheShape() {
        ReferenceTransformer model = defaultModel();
        assertThrows(IllegalStateException.class, () -> model.logits(TOKENS,
                (name, value) -> name.equals("blocks.0.attn.hook_z") ? DoubleTensor.zeros(2, 6, 8) : value));
    }

    @Test
    void erfMatchesKnownValues() {
        assertEquals(0.5204998778130465, ReferenceTransformer.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, ReferenceTransformer.erf(1), 1e-15);
        assertEquals(0.9953222650189527, ReferenceTransformer.erf(2), 1e-15);
        assertEquals(-0.9999779095030014, ReferenceTransformer.erf(-3), 1e-15);
        assertEquals(0.1124629160182849, ReferenceTransformer.erf(0.1), 1e-15);
        assertEquals(0.9999999845827421, ReferenceTransformer.erf(4), 1e-15);
        assertEquals(0.9999999999999927, ReferenceTransformer.erf(5.5), 1e-15);
        assertEquals(0.0, ReferenceTransformer.erf(0));
        assertEquals(-1.0, ReferenceTransformer.erf(-7));
        assertEquals(-ReferenceTransformer.erf(1.7), ReferenceTransformer.erf(-1.7));
    }

    @Test
    void activationsMatchKnownValues() {
        DoubleUnaryOperator gelu = ReferenceTransformer.activation("gelu");
        DoubleUnaryOperator geluNew = ReferenceTransformer.activation("gelu_new");
        assertEquals(0.8413447460685429, gelu.applyAsDouble(1), 1e-15);
        assertEquals(-0.15865525393145707, gelu.applyAsDouble(-1), 1e-15);
        assertEquals(0.8411919906082768, geluNew.applyAsDouble(1), 1e-15);
        assertEquals(-0.15880800939172324, geluNew.applyAsDouble(-1), 1e-15);
        assertEquals(0.7310585786300049, ReferenceTransformer.activation("silu").applyAsDouble(1), 1e-15);
        assertEquals(0.0, ReferenceTransformer.activation("relu").applyAsDouble(-2));
        assertEquals(2.5, ReferenceTransformer.activation("relu").applyAsDouble(2.5));
    }

    @Test
    void layerNormPreStandardisesEachRow() {
        Map<String, DoubleTensor> acts = new HashMap<>();
        randomModel(config("LNPre", false, "relu")).logits(TOKENS, capture(acts));
        DoubleTensor resid = acts.get("blocks.1.hook_resid_post");
        DoubleTensor normalized = acts.get("ln_final.hook_normalized");
        for (int b = 0; b < 2; b++) {
            for (int p = 0; p < 6; p++) {
                double mean = 0;
                double variance = 0;
                for (int i = 0; i < 8; i++) {
                    mean += resid.get(b, p, i) / 8;
                }
                for (int i = 0; i < 8; i++) {
                    variance += Math.pow(resid.get(b, p, i) - mean, 2) / 8;
                }
                for (int i = 0; i < 8; i++) {
                    double expected = (resid.get(b, p, i) - mean) / Math.sqrt(variance + 1e-5);
                    assertEquals(expected, normalized.get(b, p, i), 1e-12);
                }
            }
        }
    }

    /**
     * One layer, one head, D = dh = 2, V = 3, attn-only, no normalization, with asymmetric matrices so that a
     * transposed weight would give different numbers; every value below is worked out by hand.
     */
    @Test
    void handComputedAttentionOnlyModel() {
        ModelConfig config = new ModelConfig(1, 2, 1, 2, null, 3, 2, null, null, true, "standard", 1e-5, null, "hand");
        Map<String, FloatTensor> w = new HashMap<>();
        w.put("embed.W_E", new FloatTensor(new float[] {1, 0, 0, 1, 1, 1}, 3, 2));
        w.put("pos_embed.W_pos", new FloatTensor(new float[] {0, 0, 1, 0}, 2, 2));
        // q = x @ W_Q = [x0, x0 + x1]
        w.put("blocks.0.attn.W_Q", new FloatTensor(new float[] {1, 1, 0, 1}, 1, 2, 2));
        w.put("blocks.0.attn.b_Q", new FloatTensor(new float[] {0, 0}, 1, 2));
        // k = x @ W_K = [x0 + x1, x1]
        w.put("blocks.0.attn.W_K", new FloatTensor(new float[] {1, 0, 1, 1}, 1, 2, 2));
        w.put("blocks.0.attn.b_K", new FloatTensor(new float[] {0, 0}, 1, 2));
        // v = x @ W_V + b_V = [2 x0 + x1, x1 + 1]
        w.put("blocks.0.attn.W_V", new FloatTensor(new float[] {2, 0, 1, 1}, 1, 2, 2));
        w.put("blocks.0.attn.b_V", new FloatTensor(new float[] {0, 1}, 1, 2));
        // result = z @ W_O = [z0 + z1, z1]
        w.put("blocks.0.attn.W_O", new FloatTensor(new float[] {1, 0, 1, 1}, 1, 2, 2));
        w.put("blocks.0.attn.b_O", new FloatTensor(new float[] {0.5f, -0.5f}, 2));
        // logits = [r0, r1, r0 - r1] + b_U
        w.put("unembed.W_U", new FloatTensor(new float[] {1, 0, 1, 0, 1, -1}, 2, 3));
        w.put("unembed.b_U", new FloatTensor(new float[] {0, 0, 0.25f}, 3));
        ReferenceTransformer model = new ReferenceTransformer(new ModelWeights(config, w));

        Map<String, DoubleTensor> acts = new HashMap<>();
        DoubleTensor logits = model.logits(new int[][] {{0, 1}}, capture(acts));

        // Residual: x_0 = W_E[0] + W_pos[0] = [1, 0]; x_1 = W_E[1] + W_pos[1] = [1, 1].
        // q_0 = [1, 1], q_1 = [1, 2]; k_0 = [1, 0], k_1 = [2, 1]; v_0 = [2, 1], v_1 = [3, 2].
        // Scores (divided by sqrt 2): s00 = 1/sqrt2, s01 masked, s10 = 1/sqrt2, s11 = (2 + 2)/sqrt2 = 2 sqrt2.
        double r2 = Math.sqrt(2);
        DoubleTensor scores = acts.get("blocks.0.attn.hook_attn_scores");
        assertEquals(1 / r2, scores.get(0, 0, 0, 0), 1e-15);
        assertEquals(Double.NEGATIVE_INFINITY, scores.get(0, 0, 0, 1));
        assertEquals(1 / r2, scores.get(0, 0, 1, 0), 1e-15);
        assertEquals(2 * r2, scores.get(0, 0, 1, 1), 1e-15);

        // Pattern: row 0 = [1, 0]; row 1 = [a, 1 - a] with a = 1 / (1 + e^(2 sqrt2 - 1/sqrt2)) = 1 / (1 + e^(3/sqrt2)).
        double a = 1 / (1 + Math.exp(3 / r2));
        assertEquals(0.10704, a, 1e-5);
        DoubleTensor pattern = acts.get("blocks.0.attn.hook_pattern");
        assertEquals(1.0, pattern.get(0, 0, 0, 0), 1e-15);
        assertEquals(0.0, pattern.get(0, 0, 0, 1));
        assertEquals(a, pattern.get(0, 0, 1, 0), 1e-15);
        assertEquals(1 - a, pattern.get(0, 0, 1, 1), 1e-15);

        // z_0 = v_0 = [2, 1]; z_1 = a [2, 1] + (1 - a) [3, 2] = [3 - a, 2 - a].
        DoubleTensor z = acts.get("blocks.0.attn.hook_z");
        assertEquals(2, z.get(0, 0, 0, 0), 1e-15);
        assertEquals(1, z.get(0, 0, 0, 1), 1e-15);
        assertEquals(3 - a, z.get(0, 1, 0, 0), 1e-15);
        assertEquals(2 - a, z.get(0, 1, 0, 1), 1e-15);

        // result_0 = [3, 1], result_1 = [5 - 2a, 2 - a]; attn_out adds b_O = [0.5, -0.5].
        DoubleTensor attnOut = acts.get("blocks.0.hook_attn_out");
        assertEquals(3.5, attnOut.get(0, 0, 0), 1e-15);
        assertEquals(0.5, attnOut.get(0, 0, 1), 1e-15);
        assertEquals(5.5 - 2 * a, attnOut.get(0, 1, 0), 1e-15);
        assertEquals(1.5 - a, attnOut.get(0, 1, 1), 1e-15);

        // resid_post_0 = [4.5, 0.5], resid_post_1 = [6.5 - 2a, 2.5 - a];
        // logits = [r0, r1, r0 - r1 + 0.25].
        double[] expected = {4.5, 0.5, 4.25, 6.5 - 2 * a, 2.5 - a, 4.25 - a};
        assertTrue(logits.hasShape(1, 2, 3));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], logits.data[i], 1e-14, "logit " + i);
        }
    }
}
