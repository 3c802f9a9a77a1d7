package io.circuitscope.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GPT-NeoX and Llama-family loaders and the engine against tiny random checkpoints written by the real Hugging
 * Face {@code transformers} 5 and logits computed by real PyTorch ({@code core/src/test/python/make_hf_arch_fixtures.py};
 * see {@code core/src/test/resources/hf-arch/README.md}).
 */
class HfArchitectureReferenceTest {
    /** The bound: both sides compute in float32, in different orders. */
    private static final double ATOL = 1e-4;

    static Path fixture(String name) {
        return ReferenceLogits.resource("hf-arch/" + name);
    }

    private static ModelConfig config(String name) {
        return CheckpointLayout.of(fixture(name)).parameters(fixture(name)).config();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pythia", "pythia-sequential", "llama", "mistral", "qwen2"})
    void logitsMatchTransformers(String name) throws IOException {
        double maxDiff = ReferenceLogits.assertMatches(fixture(name), ATOL, "hf-arch/" + name);
        System.out.printf("hf-arch/%s: max |logit - transformers| = %.3g%n", name, maxDiff);
    }

    @Test
    void pythiaIsReadAsPartialRotaryParallelLayerNorm() {
        ModelConfig c = config("pythia");
        assertEquals(ModelConfig.Normalization.LN, c.normalization());
        assertTrue(c.rotary());
        assertEquals(4, c.rotaryDims(), "rotary_pct 0.25 of head_dim 16");
        assertTrue(c.parallel());
        assertEquals("gelu", c.actFn(), "GPT-NeoX's gelu is the exact erf GELU");
        assertEquals(1e-5, c.eps());
        assertTrue(!c.grouped() && !c.gated());
        ModelConfig sequential = config("pythia-sequential");
        assertTrue(!sequential.parallel());
        assertEquals(8, sequential.rotaryDims());
    }

    @Test
    void llamaIsReadWithGroupedQueriesAndLlama3Scaling() {
        ModelConfig c = config("llama");
        assertEquals(ModelConfig.Normalization.RMS, c.normalization());
        assertEquals(2, c.kvHeads());
        assertTrue(c.grouped() && c.gated() && c.ntkByParts());
        assertEquals(8.0, c.ntkByPartsFactor());
        assertEquals(32, c.ntkOriginalCtxLen());
        assertEquals(16, c.rotaryDims());
        assertNull(c.windowSize());
        assertEquals(1, c.bosTokenId());
    }

    @Test
    void mistralSlidesAndQwen2DoesNotWhenUseSlidingWindowIsFalse() {
        ModelConfig mistral = config("mistral");
        assertEquals(4, mistral.windowSize());
        assertEquals(1, mistral.kvHeads());
        ModelConfig qwen = config("qwen2");
        assertNull(qwen.windowSize());
        assertEquals(1e6, qwen.rotaryTheta());
    }
}
