package io.circuitscope.plugins.attentionsink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.core.analysis.DetectorRunner;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterLayout;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.spi.HeadScores;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * On a hand-built model whose head a0.h0 attends to BOS by construction and whose a0.h1 spreads its attention evenly,
 * the detector labels exactly the sink, and the even head scores its control.
 */
class AttentionSinkDetectorTest {
    private static final int VOCAB = 40;
    private static final int CTX = 32;

    /** Residual: one-hot token, then a constant dimension. Token 0 is BOS. */
    private static LoadedModel model() {
        int d = VOCAB + 1;
        ModelConfig c = new ModelConfig(1, d, 2, 4, null, VOCAB, CTX, null, null, true, "standard", 1e-5, 0,
                "hand-built-sink");
        Map<String, FloatTensor> t = new HashMap<>();
        ParameterLayout.of(c).forEach((name, shape) -> t.put(name, FloatTensor.zeros(shape)));
        for (int i = 0; i < VOCAB; i++) {
            t.get("embed.W_E").set(1, i, i);
            t.get("embed.W_E").set(1, i, VOCAB);
            t.get("unembed.W_U").set(1, i, i);
        }
        // a0.h0: every query (constant dimension) scores key BOS at 40; a0.h1 has no QK weights at all.
        t.get("blocks.0.attn.W_Q").set(40, 0, VOCAB, 0);
        t.get("blocks.0.attn.W_K").set(1, 0, 0, 0);
        return new LoadedModel("hand-built-sink", new ModelWeights(c, t), Optional.empty(), Optional.empty());
    }

    private static HeadScores run(Map<String, String> options) {
        LoadedModel m = model();
        try (HookedTransformer engine = HookedTransformer.load(m.parameters())) {
            DetectorOutcome o = DetectorRunner.run(m, engine, List.of(new AttentionSinkDetector()), 3, options,
                    id -> { }).get(0);
            assertEquals(Optional.empty(), o.problem());
            return o.scores().orElseThrow();
        }
    }

    @Test
    void theSinkHeadIsLabelledAndTheEvenHeadScoresItsControl() {
        HeadScores s = run(Map.of());
        double control = AttentionSinkDetector.uniformShare(24);
        assertTrue(s.score(0, 0) > 0.999, "a0.h0 " + s.score(0, 0));
        assertTrue(s.labelled(0, 0));
        assertEquals(control, s.score(0, 1), 1e-5);
        assertFalse(s.labelled(0, 1));
        assertEquals(control, s.control(0, 0), 1e-12);
        assertEquals(1.0 / 24, s.evidence(0, 1).components().get("share to position 0, last query"), 1e-5);
        assertEquals("score >= 0.5 and score > control", s.settings().get("label_rule"));
    }

    @Test
    void theSettingsNameThePromptsAndTheThresholdIsInclusive() {
        HeadScores s = run(Map.of("attention-sink.threshold", "1"));
        assertEquals(1.0, s.score(0, 0), "the other keys' weights underflow in float32");
        assertTrue(s.labelled(0, 0));
        assertFalse(s.labelled(0, 1));
        assertEquals("score >= 1.0 and score > control", s.settings().get("label_rule"));
        assertEquals("32 random prompts without repeats, 24 tokens starting with BOS", s.settings().get("prompts"));
        AttentionSinkDetector d = new AttentionSinkDetector();
        assertTrue(d.description().contains("position 0"), d.description());
        assertEquals(java.util.Set.of("threshold"), d.options().keySet());
    }

    @Test
    void aContextOfOneTokenHasNoQueryToScore() {
        ModelConfig c = new ModelConfig(1, 8, 1, 8, null, VOCAB, 1, null, null, true, "standard", 1e-5, 0, "short");
        Map<String, FloatTensor> t = new HashMap<>();
        ParameterLayout.of(c).forEach((name, shape) -> t.put(name, FloatTensor.zeros(shape)));
        LoadedModel m = new LoadedModel("short", new ModelWeights(c, t), Optional.empty(), Optional.empty());
        try (HookedTransformer engine = HookedTransformer.load(m.parameters())) {
            assertEquals("skipped: a context of 1 tokens has no query after position 0", DetectorRunner.run(m, engine,
                    List.of(new AttentionSinkDetector()), 3, Map.of(), id -> { }).get(0).problem().orElseThrow());
        }
    }

    @Test
    void theEvenSpreadShareIsTheMeanOfOneOverPrefixLength() {
        assertEquals(0.5, AttentionSinkDetector.uniformShare(2), 1e-12);
        assertEquals((0.5 + 1.0 / 3) / 2, AttentionSinkDetector.uniformShare(3), 1e-12);
    }

    @Test
    void theThresholdIsASettingAndABadOneIsRefused() {
        HeadScores s = run(Map.of("attention-sink.threshold", "0.1"));
        assertTrue(s.labelled(0, 1), "the even head's " + s.score(0, 1) + " clears 0.1 and its control");
        LoadedModel m = model();
        try (HookedTransformer engine = HookedTransformer.load(m.parameters())) {
            DetectorOutcome o = DetectorRunner.run(m, engine, List.of(new AttentionSinkDetector()), 3,
                    Map.of("attention-sink.threshold", "2"), id -> { }).get(0);
            assertEquals("failed: IllegalArgumentException: attention-sink.threshold must be in (0, 1], got 2.0",
                    o.problem().orElseThrow());
        }
    }
}
