package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.RandomWeights;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Gradients at hook points against central finite differences on the float64 reference forward pass. */
class HookGradientsTest {
    private static final ModelConfig CFG = new ModelConfig(3, 16, 4, 4, 24, 23, 12, "gelu_new", "LN", false,
            "standard", 1e-5, null, "grad");
    private static final ModelWeights W = RandomWeights.dense(CFG, 41, 0.3);
    private static final int[][] TOKENS = {{1, 5, 9, 2, 7, 3}, {4, 4, 8, 0, 1, 6}};
    private static final int LAST = TOKENS[0].length - 1;
    /** Logit difference between tokens 3 and 7 at the last position, summed over the batch. */
    private static final Function<NDArray, NDArray> METRIC =
            logits -> logits.get(":, " + LAST + ", 3").sub(logits.get(":, " + LAST + ", 7")).sum();

    @Test
    void gradientsAtHookPointsMatchFiniteDifferences() {
        List<String> hooks = List.of(HookNames.EMBED, HookNames.result(1), HookNames.residPre(2),
                HookNames.pattern(0), HookNames.attnScores(2), HookNames.mlpOut(0), HookNames.qInput(1),
                HookNames.ln2Scale(1), HookNames.LN_FINAL_SCALE);
        ReferenceTransformer ref = new ReferenceTransformer(W);
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            HookGradients g = model.gradients(out, TOKENS,
                    RunOptions.builder().gradient(hooks.toArray(new String[0])).build(), METRIC);
            assertEquals(metric(ref, null, -1, 0), g.metric(), 1e-4, "the metric's value");
            SplittableRandom rng = new SplittableRandom(5);
            for (String hook : hooks) {
                float[] grad = g.gradient(hook).toFloatArray();
                double norm = 0;
                for (float x : grad) {
                    norm += Math.abs(x);
                }
                assertTrue(norm > 0, hook + " has a non-zero gradient");
                for (int trial = 0; trial < 6; trial++) {
                    int i = rng.nextInt(grad.length);
                    double eps = 1e-5;
                    double fd = (metric(ref, hook, i, eps) - metric(ref, hook, i, -eps)) / (2 * eps);
                    assertEquals(fd, grad[i], 2e-4 + 1e-3 * Math.abs(fd), hook + " element " + i);
                }
            }
        }
    }

    @Test
    void aPatchedHookIsDifferentiatedAtItsPatchedValueAndPlainRunsAreUnchanged() {
        String hook = HookNames.residMid(1);
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            float[] plain = model.logitsOnHeap(TOKENS).data();
            RunOptions opts = RunOptions.builder().patch(hook, a -> a.mul(0.5f)).gradient(hook).build();
            HookGradients g = model.gradients(out, TOKENS, opts, METRIC);
            assertArrayEquals(model.run(out, TOKENS, opts).logits().toFloatArray(), g.logits().toFloatArray(), 1e-6f);
            double direct = metric(new ReferenceTransformer(W), hook, -1, 0.5);
            assertEquals(direct, g.metric(), 1e-4);
            assertArrayEquals(plain, model.logitsOnHeap(TOKENS).data(), "the model is unchanged");
            assertTrue(g.gradient(hook).getShape().equals(model.run(out, TOKENS,
                    RunOptions.builder().cache(hook).build()).cache().get(hook).getShape()));
        }
    }

    @Test
    void misuseIsReportedClearly() {
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            assertThrows(IllegalArgumentException.class, () -> model.gradients(out, TOKENS, RunOptions.none(), METRIC));
            IllegalArgumentException scalar = assertThrows(IllegalArgumentException.class, () -> model.gradients(out,
                    TOKENS, RunOptions.builder().gradient(HookNames.EMBED).build(), logits -> logits));
            assertTrue(scalar.getMessage().startsWith("the metric must be a scalar"), scalar.getMessage());
            HookGradients g = model.gradients(out, TOKENS, RunOptions.builder().gradient(HookNames.EMBED).build(),
                    METRIC);
            assertThrows(IllegalArgumentException.class, () -> g.gradient(HookNames.POS_EMBED));
        }
    }

    /**
     * The reference metric with element {@code index} of {@code hook}'s value shifted by {@code eps}; with index -1
     * the whole value is scaled by eps instead (used to mirror a scaling patch), and with a null hook unchanged.
     */
    private static double metric(ReferenceTransformer ref, String hook, int index, double eps) {
        DoubleTensor logits = ref.logits(TOKENS, (name, v) -> {
            if (!name.equals(hook)) {
                return v;
            }
            DoubleTensor shifted = v.copy();
            if (index < 0) {
                for (int i = 0; i < shifted.data.length; i++) {
                    shifted.data[i] *= eps;
                }
            } else {
                shifted.data[index] += eps;
            }
            return shifted;
        });
        double sum = 0;
        int vocab = CFG.dVocab();
        int pos = TOKENS[0].length;
        for (int b = 0; b < TOKENS.length; b++) {
            int base = (b * pos + LAST) * vocab;
            sum += logits.data[base + 3] - logits.data[base + 7];
        }
        return sum;
    }

    @Test
    void gradientsComeWithTheirHooksAndTheCachedActivations() {
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            HookGradients g = model.gradients(out, TOKENS, RunOptions.builder().gradient(HookNames.z(0))
                    .cache(HookNames.pattern(1)).build(), METRIC);
            assertEquals(java.util.Set.of(HookNames.z(0)), g.hooks());
            assertEquals(model.run(out, TOKENS, RunOptions.builder().cache(HookNames.pattern(1)).build()).cache()
                    .get(HookNames.pattern(1)).getShape(), g.cache().get(HookNames.pattern(1)).getShape());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> model.gradients(out,
                    TOKENS, RunOptions.builder().gradient("blocks.0.hook_nope").build(), METRIC));
            assertTrue(unknown.getMessage().startsWith("no hook point named blocks.0.hook_nope"));
        }
    }
}
