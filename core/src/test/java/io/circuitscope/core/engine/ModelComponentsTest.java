package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.RandomWeights;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The components composed by hand equal the hooked forward pass, which is built from them. */
class ModelComponentsTest {
    private static final int[][] TOKENS = {{1, 5, 9, 2, 7, 3}, {4, 4, 8, 0, 1, 6}};

    static Stream<ModelConfig> configs() {
        return Stream.of(
                new ModelConfig(3, 16, 4, 4, 24, 23, 12, "gelu_new", "LN", false, "standard", 1e-5, null, "ln-mlp"),
                new ModelConfig(2, 16, 4, 4, null, 23, 12, null, "LNPre", true, "standard", 1e-5, null, "lnpre"),
                new ModelConfig(2, 12, 3, 4, 20, 23, 12, "relu", null, false, "standard", 1e-5, null, "bare"));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void composingTheComponentsByHandEqualsRun(ModelConfig cfg) {
        ModelWeights w = RandomWeights.dense(cfg, 61, 0.3);
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            ModelComponents c = model.components();
            ForwardResult run = model.run(out, TOKENS, RunOptions.builder()
                    .cache(HookNames.result(1), HookNames.pattern(1)).build());
            NDArray resid = c.embed(out, TOKENS);
            for (int l = 0; l < cfg.nLayers(); l++) {
                // Each head reads its own copy of the residual stream, as an edge-level forward would build it.
                NDArray perHead = resid.expandDims(2).repeat(2, cfg.nHeads());
                AttentionResult attn = c.attention(out, l, perHead, perHead, perHead);
                assertEquals(new Shape(2, 6, cfg.nHeads(), cfg.dModel()), attn.result().getShape());
                if (l == 1) {
                    assertArrayEquals(run.cache().get(HookNames.result(1)).toFloatArray(),
                            attn.result().toFloatArray(), 1e-5f);
                    // Only heads 2 and 0, in that order, from their own slices of the inputs.
                    NDArray pick = out.create(new long[] {2, 0});
                    NDArray sub = perHead.transpose(2, 0, 1, 3).get(pick).transpose(1, 2, 0, 3);
                    assertArrayEquals(attn.result().transpose(2, 0, 1, 3).get(pick).transpose(1, 2, 0, 3)
                            .toFloatArray(), c.headOutputs(out, l, new int[] {2, 0}, sub, sub, sub).toFloatArray(),
                            1e-5f);
                    assertThrows(IllegalArgumentException.class,
                            () -> c.headOutputs(out, 1, new int[] {0, 0}, sub, sub, sub));
                    assertArrayEquals(run.cache().get(HookNames.pattern(1)).toFloatArray(),
                            attn.pattern().toFloatArray(), 1e-5f);
                }
                resid = resid.add(attn.out());
                if (cfg.hasMlp()) {
                    resid = resid.add(c.mlp(out, l, resid));
                }
            }
            assertArrayEquals(run.logits().toFloatArray(), c.unembed(out, resid).toFloatArray(), 1e-5f, cfg.modelName());
        }
    }

    @Test
    void aFrozenScaleEqualToTheComputedOneChangesNothing() {
        ModelConfig cfg = configs().findFirst().orElseThrow();
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(cfg, 62, 0.3));
             NDManager out = model.manager().newSubManager()) {
            ForwardResult run = model.run(out, TOKENS, RunOptions.builder()
                    .cache(HookNames.residMid(1), HookNames.ln2Scale(1), HookNames.ln2Normalized(1)).build());
            ModelComponents c = model.components();
            NDArray x = run.cache().get(HookNames.residMid(1));
            NDArray frozen = c.normalize(out, "blocks.1.ln2", x, run.cache().get(HookNames.ln2Scale(1)));
            NDArray computed = c.normalize(out, "blocks.1.ln2", x, null);
            assertArrayEquals(run.cache().get(HookNames.ln2Normalized(1)).toFloatArray(), computed.toFloatArray(),
                    1e-5f);
            assertArrayEquals(computed.toFloatArray(), frozen.toFloatArray(), 1e-5f);
            // Frozen at twice the scale, the normalized value (before w and b) halves.
            NDArray doubled = c.normalize(out, "blocks.1.ln2", x, run.cache().get(HookNames.ln2Scale(1)).mul(2));
            NDArray w = model.parameter(out, "blocks.1.ln2.w");
            NDArray b = model.parameter(out, "blocks.1.ln2.b");
            assertArrayEquals(computed.sub(b).div(2).add(b).toFloatArray(), doubled.toFloatArray(), 1e-4f);
            assertEquals(w.getShape(), b.getShape());
        }
    }

    @Test
    void componentsLeaveNothingInTheModelAndNameBadArguments() {
        ModelConfig cfg = configs().skip(1).findFirst().orElseThrow();
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(cfg, 63, 0.3));
             NDManager out = model.manager().newSubManager()) {
            int before = model.manager().getManagedArrays().size();
            ModelComponents c = model.components();
            NDArray resid = c.embed(out, TOKENS);
            c.unembed(out, resid);
            assertEquals(2, out.getManagedArrays().size(), "only the two results land in the caller's manager");
            assertEquals(before + 2, model.manager().getManagedArrays().size(), "the model holds nothing new");
            assertThrows(IllegalArgumentException.class, () -> c.mlp(out, 0, resid));
            assertThrows(IllegalArgumentException.class, () -> c.attention(out, 2, resid, resid, resid));
            assertThrows(IllegalArgumentException.class, () -> c.normalize(out, "blocks.0.ln2", resid, null));
        }
    }

    @Test
    void boundariesOfLayersAndNormalizations() {
        ModelConfig cfg = configs().findFirst().orElseThrow();
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(cfg, 64, 0.3));
             NDManager out = model.manager().newSubManager()) {
            ModelComponents c = model.components();
            NDArray resid = c.embed(out, TOKENS);
            c.normalize(out, "blocks.2.ln1", resid, null);
            c.normalize(out, "blocks.2.ln2", resid, null);
            c.mlp(out, 2, resid);
            assertThrows(IllegalArgumentException.class, () -> c.mlp(out, 3, resid));
            assertThrows(IllegalArgumentException.class, () -> c.normalize(out, "blocks.3.ln1", resid, null));
        }
    }

    @Test
    void frozenScalesWithoutLearnedWeightsOrWithoutNormalization() {
        for (ModelConfig cfg : configs().skip(1).toList()) {
            try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(cfg, 65, 0.3));
                 NDManager out = model.manager().newSubManager()) {
                ModelComponents c = model.components();
                NDArray resid = c.embed(out, TOKENS);
                NDArray scale = resid.sub(resid.mean(new int[] {-1}, true)).square().mean(new int[] {-1}, true)
                        .add(1e-5).sqrt();
                NDArray frozen = c.normalize(out, "ln_final", resid, scale);
                NDArray computed = c.normalize(out, "ln_final", resid, null);
                assertArrayEquals(computed.toFloatArray(), frozen.toFloatArray(), 1e-5f, cfg.modelName());
                if (cfg.normalization() == ModelConfig.Normalization.NONE) {
                    assertArrayEquals(resid.toFloatArray(), frozen.toFloatArray(), "no normalization: x itself");
                }
            }
        }
    }
}
