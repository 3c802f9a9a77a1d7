package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.RandomWeights;
import org.junit.jupiter.api.Test;

/** Layer ranges, logits at chosen positions, per-row patches and padded batches, each against the whole pass. */
class PartialPassTest {
    private static final ModelConfig CFG = new ModelConfig(3, 16, 4, 4, 24, 23, 12, "gelu_new", "LN", false,
            "standard", 1e-5, null, "partial");
    private static final ModelWeights W = RandomWeights.dense(CFG, 51, 0.3);
    private static final int[][] TOKENS = {{1, 5, 9, 2, 7, 3, 11}, {4, 4, 8, 0, 1, 6, 22}};

    @Test
    void stoppingThenStartingAtEveryLayerGivesTheWholePass() {
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            float[] whole = model.logits(out, TOKENS).toFloatArray();
            for (int layer = 0; layer <= CFG.nLayers(); layer++) {
                NDArray resid = model.residualBefore(out, TOKENS, layer, RunOptions.none()).residual();
                float[] resumed = model.runFrom(out, resid, layer, RunOptions.none()).logits().toFloatArray();
                assertArrayEquals(whole, resumed, 1e-5f, "split at layer " + layer);
            }
        }
    }

    @Test
    void theStreamBeforeALayerIsThatLayersResidPre() {
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            ActivationCache cache = model.run(out, TOKENS, RunOptions.builder()
                    .cache(HookNames.residPre(2), HookNames.residPost(2)).build()).cache();
            ResidualResult before2 = model.residualBefore(out, TOKENS, 2,
                    RunOptions.builder().cache(HookNames.residPost(1)).build());
            assertArrayEquals(cache.get(HookNames.residPre(2)).toFloatArray(), before2.residual().toFloatArray());
            assertArrayEquals(before2.residual().toFloatArray(),
                    before2.cache().get(HookNames.residPost(1)).toFloatArray());
            assertArrayEquals(cache.get(HookNames.residPost(2)).toFloatArray(),
                    model.residualBefore(out, TOKENS, 3, RunOptions.none()).residual().toFloatArray());
        }
    }

    @Test
    void patchesInTheResumedLayersActAsInTheWholePass() {
        String hook = HookNames.z(2);
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            RunOptions halve = RunOptions.builder().patch(hook, a -> a.mul(0.5f)).build();
            float[] whole = model.run(out, TOKENS, halve).logits().toFloatArray();
            NDArray resid = model.residualBefore(out, TOKENS, 1, RunOptions.none()).residual();
            float[] before = resid.toFloatArray();
            assertArrayEquals(whole, model.runFrom(out, resid, 1, halve).logits().toFloatArray(), 1e-5f);
            assertArrayEquals(before, resid.toFloatArray(), "the given residual stream is not modified");
        }
    }

    @Test
    void hooksOutsideTheRangeAreRefused() {
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            NDArray resid = model.residualBefore(out, TOKENS, 2, RunOptions.none()).residual();
            IllegalArgumentException early = assertThrows(IllegalArgumentException.class, () -> model.runFrom(out,
                    resid, 2, RunOptions.builder().patch(HookNames.z(1), a -> a).build()));
            assertEquals("hook blocks.1.attn.hook_z is not reached by a pass over layers 2 to 2", early.getMessage());
            IllegalArgumentException late = assertThrows(IllegalArgumentException.class, () -> model.residualBefore(
                    out, TOKENS, 2, RunOptions.builder().cache(HookNames.LN_FINAL_SCALE).build()));
            assertEquals("hook ln_final.hook_scale is not reached by a pass over layers 0 to 1", late.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.runFrom(out, resid, 2,
                    RunOptions.builder().cache(HookNames.EMBED).build()));
            assertThrows(IllegalArgumentException.class, () -> model.residualBefore(out, TOKENS, 4, RunOptions.none()));
            assertThrows(IllegalArgumentException.class, () -> model.runFrom(out, resid.get(":, :, 0:8"), 2,
                    RunOptions.none()));
        }
    }

    @Test
    void logitsAtChosenPositionsAreThoseRowsOfTheFullLogits() {
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            NDArray full = model.logits(out, TOKENS);
            NDArray some = model.run(out, TOKENS, RunOptions.builder().logitsAt(6, 2).build()).logits();
            assertEquals(new ai.djl.ndarray.types.Shape(2, 2, 23), some.getShape());
            assertArrayEquals(full.get(":, 6").toFloatArray(), some.get(":, 0").toFloatArray(), 1e-6f);
            assertArrayEquals(full.get(":, 2").toFloatArray(), some.get(":, 1").toFloatArray(), 1e-6f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.run(out, TOKENS, RunOptions.builder().logitsAt(7).build()));
            assertEquals("logit position 7 is outside the 7 positions of this batch", e.getMessage());
        }
    }

    @Test
    void hypothesesStackedAlongTheBatchEachEqualTheirOwnRun() {
        String hook = HookNames.result(1);
        int[][] clean = {TOKENS[0], TOKENS[0], TOKENS[0]};
        int[][] corrupt = {TOKENS[1], TOKENS[1], TOKENS[1]};
        boolean[][] hypotheses = {{true, false, false, false}, {false, true, true, false}, {false, false, false, false}};
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            NDArray source = model.run(out, corrupt, RunOptions.builder().cache(hook).build()).cache().get(hook);
            NDArray stacked = model.run(out, clean, RunOptions.builder()
                    .patch(hook, ActivationPatch.replaceHeadsPerRow(source, 2, hypotheses)).build()).logits();
            NDArray oneSource = source.get("0:1");
            int[][] heads = {{0}, {1, 2}, {}};
            for (int k = 0; k < 3; k++) {
                NDArray alone = model.run(out, new int[][] {TOKENS[0]}, RunOptions.builder()
                        .patch(hook, ActivationPatch.replaceHeads(oneSource, 2, heads[k])).build()).logits();
                assertArrayEquals(alone.toFloatArray(), stacked.get(k).toFloatArray(), 1e-5f, "hypothesis " + k);
            }
            assertThrows(IllegalArgumentException.class, () -> model.run(out, new int[][] {TOKENS[0]},
                    RunOptions.builder().patch(hook, ActivationPatch.replaceHeadsPerRow(source, 2, hypotheses))
                            .build()));
        }
    }

    @Test
    void promptsOfUnequalLengthGiveTheirOwnLogitsAtRealPositions() {
        int[][] prompts = {{1, 5, 9}, {4, 4, 8, 0, 1, 6, 22}, {7}};
        PaddedBatch batch = PaddedBatch.of(prompts, 0);
        assertArrayEquals(new int[] {3, 7, 1}, batch.lengths());
        assertArrayEquals(new int[] {2, 6, 0}, batch.lastPositions());
        assertArrayEquals(new int[] {1, 5, 9, 0, 0, 0, 0}, batch.tokens()[0]);
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            NDArray together = model.logits(out, batch.tokens());
            for (int b = 0; b < prompts.length; b++) {
                NDArray alone = model.logits(out, new int[][] {prompts[b]});
                assertArrayEquals(alone.get(0).toFloatArray(),
                        together.get(b + ", 0:" + prompts[b].length).toFloatArray(), 1e-5f, "prompt " + b);
            }
        }
        assertThrows(CircuitscopeException.class, () -> PaddedBatch.of(new int[][] {{1}, {}}, 0));
        assertTrue(assertThrows(CircuitscopeException.class, () -> PaddedBatch.of(new int[0][], 0)).getMessage()
                .contains("no prompts"));
    }

    @Test
    void rangeAndPositionBoundaries() {
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            NDArray resid = model.residualBefore(out, TOKENS, 2, RunOptions.builder().cache(HookNames.residPost(1))
                    .build()).residual();
            model.runFrom(out, resid, 2, RunOptions.builder().cache(HookNames.residPre(2), HookNames.LN_FINAL_SCALE)
                    .build());
            assertThrows(IllegalArgumentException.class, () -> model.residualBefore(out, TOKENS, 2,
                    RunOptions.builder().cache(HookNames.residPre(2)).build()));
            assertThrows(IllegalArgumentException.class, () -> model.runFrom(out, resid, 2,
                    RunOptions.builder().cache(HookNames.residPost(1)).build()));
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> model.runFrom(out,
                    resid, 2, RunOptions.builder().cache("blocks.2.hook_nope").build()));
            assertTrue(unknown.getMessage().startsWith("no hook point named blocks.2.hook_nope"));
            assertThrows(IllegalArgumentException.class, () -> model.residualBefore(out, TOKENS, 1,
                    RunOptions.builder().cache("hook_nope").build()));
            IllegalArgumentException layer = assertThrows(IllegalArgumentException.class,
                    () -> model.runFrom(out, resid, 4, RunOptions.none()));
            assertEquals("cannot start at layer 4 of a 3-layer model", layer.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.runFrom(out, resid, -1, RunOptions.none()));
            assertThrows(IllegalArgumentException.class, () -> model.runFrom(out, resid.get(0), 2, RunOptions.none()));
            NDArray tooLong = out.zeros(new ai.djl.ndarray.types.Shape(1, 13, 16));
            assertThrows(CircuitscopeException.class, () -> model.runFrom(out, tooLong, 2, RunOptions.none()));
            int before = out.getManagedArrays().size();
            model.runFrom(out, resid, 2, RunOptions.none());
            assertEquals(before + 1, out.getManagedArrays().size(), "only the logits land in the caller's manager");
            NDArray first = model.run(out, TOKENS, RunOptions.builder().logitsAt(0).build()).logits();
            assertArrayEquals(model.logits(out, TOKENS).get(":, 0").toFloatArray(), first.get(":, 0").toFloatArray(),
                    1e-6f);
            assertThrows(IllegalArgumentException.class, () -> RunOptions.builder().logitsAt());
            assertThrows(IllegalArgumentException.class,
                    () -> model.run(out, TOKENS, RunOptions.builder().logitsAt(-1).build()));
        }
    }

    @Test
    void layersOfHookNames() {
        assertEquals(-1, HookNames.layerOf(HookNames.EMBED, CFG));
        assertEquals(-1, HookNames.layerOf(HookNames.POS_EMBED, CFG));
        assertEquals(2, HookNames.layerOf(HookNames.z(2), CFG));
        assertEquals(11, HookNames.layerOf("blocks.11.hook_resid_pre", CFG));
        assertEquals(3, HookNames.layerOf(HookNames.LN_FINAL_NORMALIZED, CFG));
    }

    @Test
    void patchingOnlyTheValueInputSplitsTheLayer() {
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            float[] plain = model.logits(out, TOKENS).toFloatArray();
            float[] halved = model.run(out, TOKENS, RunOptions.builder().patch(HookNames.vInput(0), a -> a.mul(0.5f))
                    .build()).logits().toFloatArray();
            assertTrue(!java.util.Arrays.equals(plain, halved), "a patch on v_input alone takes effect");
        }
    }

    @Test
    void paddingUsesTheGivenIdAndRowsMustAgree() {
        assertArrayEquals(new int[] {7, 9, 9}, PaddedBatch.of(new int[][] {{7}, {1, 2, 3}}, 9).tokens()[0]);
        boolean[][] ragged = {{true, false}, {true}};
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            NDArray source = model.run(out, TOKENS, RunOptions.builder().cache(HookNames.result(0)).build()).cache()
                    .get(HookNames.result(0));
            assertThrows(IllegalArgumentException.class,
                    () -> ActivationPatch.replaceHeadsPerRow(source, 2, ragged));
        }
    }
}
