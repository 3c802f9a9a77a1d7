package io.circuitscope.plugins.successor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.core.analysis.DetectorRunner;
import io.circuitscope.core.analysis.TokenizerVocabulary;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterLayout;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.tokenizer.Gpt2BpeTokenizer;
import io.circuitscope.core.tokenizer.Tokenizer;
import io.circuitscope.core.tokenizer.WordLevelTokenizer;
import io.circuitscope.spi.HeadScores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * On a hand-built model whose a0.h0 maps each ordinal item to the next by construction and whose a0.h1 copies the
 * item itself, the detector labels exactly the successor head; with GPT-2's BPE it finds the sequences with a leading
 * space; and it says plainly when a model cannot serve it.
 */
class SuccessorHeadDetectorTest {
    private static final List<String> DAYS = OrdinalSequence.ALL.get(0).items();
    private static final List<String> MONTHS = OrdinalSequence.ALL.get(1).items();

    private static DetectorOutcome run(LoadedModel m, Map<String, String> options) {
        try (HookedTransformer engine = HookedTransformer.load(m.parameters())) {
            return DetectorRunner.run(m, engine, List.of(new SuccessorHeadDetector()), 1, options, id -> { }).get(0);
        }
    }

    /**
     * Vocabulary: BOS, the weekdays, the months and two fillers. Residual: one-hot token. a0.h0's OV sends each day
     * and month to the next one of its sequence (the last to itself); a0.h1's OV is the identity.
     */
    private static LoadedModel handBuilt(String normalization) {
        List<String> words = new ArrayList<>(List.of("<bos>"));
        words.addAll(DAYS);
        words.addAll(MONTHS);
        words.addAll(List.of("the", "a"));
        WordLevelTokenizer tok = new WordLevelTokenizer(words);
        int v = words.size();
        ModelConfig c = new ModelConfig(1, v, 2, v, null, v, 8, null, normalization, true, "standard", 1e-5, 0,
                "hand-built-successor");
        Map<String, FloatTensor> t = new HashMap<>();
        ParameterLayout.of(c).forEach((name, shape) -> t.put(name, FloatTensor.zeros(shape)));
        for (int i = 0; i < v; i++) {
            t.get("embed.W_E").set(1, i, i);
            t.get("unembed.W_U").set(1, i, i);
            for (int h = 0; h < 2; h++) {
                t.get("blocks.0.attn.W_V").set(1, h, i, i);
            }
            t.get("blocks.0.attn.W_O").set(1, 1, i, i);
            if (t.containsKey("blocks.0.ln1.w")) {
                t.get("blocks.0.ln1.w").set(1, i);
                t.get("ln_final.w").set(1, i);
            }
        }
        for (List<String> seq : List.of(DAYS, MONTHS)) {
            for (int k = 0; k < seq.size(); k++) {
                int from = words.indexOf(seq.get(k));
                int to = words.indexOf(seq.get(Math.min(k + 1, seq.size() - 1)));
                t.get("blocks.0.attn.W_O").set(1, 0, from, to);
            }
        }
        return new LoadedModel("hand-built-successor", new ModelWeights(c, t), Optional.of(tok), Optional.empty());
    }

    @Test
    void theSuccessorHeadIsLabelledAndTheCopyingHeadIsNot() {
        for (String normalization : new String[] {null, "LN", "LNPre"}) {
            DetectorOutcome o = run(handBuilt(normalization), Map.of());
            assertEquals(Optional.empty(), o.problem(), normalization);
            HeadScores s = o.scores().orElseThrow();
            assertEquals(1.0, s.score(0, 0), 1e-12, normalization);
            assertTrue(s.labelled(0, 0));
            assertEquals(0.0, s.score(0, 1), 1e-12, normalization);
            assertFalse(s.labelled(0, 1));
            // 6 scored days with 1/7 chance each, 11 months with 1/12 each.
            assertEquals((6 / 7.0 + 11 / 12.0) / 17, s.control(0, 0), 1e-12);
            assertEquals(Map.of("weekdays (6 items)", 1.0, "months (11 items)", 1.0),
                    s.evidence(0, 0).components());
            assertEquals(String.join(" ", DAYS) + " (leading space)", s.settings().get("sequence weekdays"));
            assertFalse(s.settings().containsKey("sequence numbers"));
        }
    }

    @Test
    void theThresholdIsInclusiveAndMustLieInZeroToOne() {
        HeadScores s = run(handBuilt(null), Map.of("successor-heads.threshold", "1")).scores().orElseThrow();
        assertTrue(s.labelled(0, 0), "a score of exactly 1 meets a threshold of 1");
        assertEquals("failed: IllegalArgumentException: successor-heads.threshold must be in (0, 1], got 0.0",
                run(handBuilt(null), Map.of("successor-heads.threshold", "0")).problem().orElseThrow());
        SuccessorHeadDetector d = new SuccessorHeadDetector();
        assertTrue(d.description().contains("next item"), d.description());
        assertEquals(java.util.Set.of("threshold"), d.options().keySet());
    }

    @Test
    void gpt2BpeHasTheSequencesWithALeadingSpaceAndTheDetectorRunsOnIt() {
        Tokenizer gpt2 = new Gpt2BpeTokenizer();
        TokenizerVocabulary vocab = new TokenizerVocabulary(gpt2);
        OrdinalSequence.Found days = OrdinalSequence.ALL.get(0).in(vocab).orElseThrow();
        assertEquals(DAYS, days.items());
        assertEquals("leading space", days.spelling());
        assertEquals(gpt2.encode(" Monday")[0], days.tokens()[0]);
        assertEquals(MONTHS, OrdinalSequence.ALL.get(1).in(vocab).orElseThrow().items());
        assertEquals(20, OrdinalSequence.ALL.get(2).in(vocab).orElseThrow().items().size());
        ModelConfig c = new ModelConfig(2, 16, 2, 8, null, 50257, 16, null, "LN", true, "standard", 1e-5, 50256,
                "random-gpt2-vocab");
        LoadedModel m = new LoadedModel("random-gpt2-vocab", RandomWeights.dense(c, 4, 0.5), Optional.of(gpt2),
                Optional.empty());
        DetectorOutcome o = run(m, Map.of("successor-heads.threshold", "0.9"));
        assertEquals(Optional.empty(), o.problem());
        HeadScores s = o.scores().orElseThrow();
        assertEquals(Map.of("weekdays (6 items)", 0, "months (11 items)", 0, "numbers (19 items)", 0).keySet(),
                s.evidence(1, 1).components().keySet());
        assertEquals("score >= 0.9 and score > control", s.settings().get("label_rule"));
    }

    @Test
    void aModelThatCannotServeItIsToldWhy() {
        LoadedModel noTokenizer = new LoadedModel("bare", handBuilt(null).parameters(), Optional.empty(),
                Optional.empty());
        assertEquals("skipped: this model has no tokenizer, so the ordinal items (Monday, January, 1 ...) cannot be "
                + "found", run(noTokenizer, Map.of()).problem().orElseThrow());
        WordLevelTokenizer fewItems = new WordLevelTokenizer(List.of("<bos>", "Monday", "Tuesday", "x", "January",
                "February", "March", "5", "6"));
        ModelConfig c = new ModelConfig(1, 8, 1, 8, null, 9, 8, null, null, true, "standard", 1e-5, 0, "few");
        LoadedModel few = new LoadedModel("few", RandomWeights.dense(c, 1, 0.5), Optional.of(fewItems),
                Optional.empty());
        DetectorOutcome o = run(few, Map.of());
        assertEquals(Optional.empty(), o.problem(), "January to March is a run of three");
        assertEquals(List.of("months (2 items)"), List.copyOf(o.scores().orElseThrow().evidence(0, 0)
                .components().keySet()));
        WordLevelTokenizer none = new WordLevelTokenizer(List.of("<bos>", "Monday", "Tuesday", "x", "5", "6"));
        ModelConfig c2 = new ModelConfig(1, 8, 1, 8, null, 6, 8, null, null, true, "standard", 1e-5, 0, "none");
        LoadedModel lacking = new LoadedModel("none", RandomWeights.dense(c2, 1, 0.5), Optional.of(none),
                Optional.empty());
        assertEquals("skipped: the tokenizer lacks the ordinal items: no run of 3 consecutive weekdays, months or "
                + "numbers 1-20 is single tokens, with or without a leading space",
                run(lacking, Map.of()).problem().orElseThrow());
        assertEquals("failed: IllegalArgumentException: successor-heads.threshold must be a number in (0, 1], got "
                + "'high'", run(handBuilt(null), Map.of("successor-heads.threshold", "high")).problem().orElseThrow());
    }
}
