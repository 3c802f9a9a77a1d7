package io.circuitscope.detectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.core.analysis.DetectorRunner;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadScores;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A model built by hand whose two heads attend purely by relative position: head 0 to the token one back, head 1 to
 * the token five back. Only head 0 is a previous-token head, and neither is an induction or duplicate-token head,
 * however the repeats fall.
 */
class RelativePositionHeadTest {
    static final int CTX = 32;
    static final int D = 64;
    static final int HEAD_DIM = 32;

    /** One layer, two heads, positions one-hot in the first 32 dimensions, tokens random in the rest. */
    static LoadedModel relativePositionModel() {
        ModelConfig c = new ModelConfig(1, D, 2, HEAD_DIM, null, 40, CTX, null, null, true, "standard", 1e-5, 0,
                "relative-position");
        ModelWeights random = RandomWeights.dense(c, 5, 0.5);
        Map<String, FloatTensor> t = new HashMap<>(random.tensors());
        float[] pos = new float[CTX * D];
        float[] embed = t.get("embed.W_E").data().clone();
        for (int p = 0; p < CTX; p++) {
            pos[p * D + p] = 1;
        }
        for (int tok = 0; tok < 40; tok++) {
            for (int j = 0; j < CTX; j++) {
                embed[tok * D + j] = 0;  // tokens live only in the upper half
            }
        }
        float[] wq = new float[2 * D * HEAD_DIM];
        float[] wk = new float[2 * D * HEAD_DIM];
        int[] offsets = {1, 5};
        for (int h = 0; h < 2; h++) {
            for (int p = 0; p < CTX; p++) {
                wq[(h * D + p) * HEAD_DIM + p] = 100;
                if (p + offsets[h] < CTX) {
                    wk[(h * D + p) * HEAD_DIM + p + offsets[h]] = 1;
                }
            }
        }
        t.put("pos_embed.W_pos", new FloatTensor(pos, CTX, D));
        t.put("embed.W_E", new FloatTensor(embed, 40, D));
        t.put("blocks.0.attn.W_Q", new FloatTensor(wq, 2, D, HEAD_DIM));
        t.put("blocks.0.attn.W_K", new FloatTensor(wk, 2, D, HEAD_DIM));
        t.put("blocks.0.attn.b_Q", FloatTensor.zeros(2, HEAD_DIM));
        t.put("blocks.0.attn.b_K", FloatTensor.zeros(2, HEAD_DIM));
        return new LoadedModel("relative-position", new ModelWeights(c, t), Optional.empty(), Optional.empty());
    }

    /** Runs the detectors inside each test (not in a shared setup), so that mutation testing sees what they cover. */
    static Map<String, HeadScores> detect() {
        return detect(Map.of());
    }

    static Map<String, HeadScores> detect(Map<String, String> options) {
        LoadedModel m = relativePositionModel();
        List<HeadDetector> detectors = List.of(new PreviousTokenDetector(), new DuplicateTokenDetector(),
                new InductionDetector());
        Map<String, HeadScores> scores = new HashMap<>();
        try (HookedTransformer e = HookedTransformer.load(m.parameters())) {
            for (DetectorOutcome o : DetectorRunner.run(m, e, detectors, 3, options, id -> { })) {
                scores.put(o.id(), o.scores().orElseThrow());
            }
        }
        return scores;
    }

    @Test
    void theOneBackHeadIsAPreviousTokenHeadAndTheFiveBackHeadIsNot() {
        Map<String, HeadScores> scores = detect();
        HeadScores prev = scores.get("previous-token");
        assertTrue(prev.score(0, 0) > 0.95, "score " + prev.score(0, 0));
        assertTrue(prev.control(0, 0) < 0.05, "control " + prev.control(0, 0));
        assertTrue(prev.labelled(0, 0));
        assertFalse(prev.labelled(0, 1));
        assertTrue(prev.score(0, 1) < 0.05, "score " + prev.score(0, 1));
    }

    @Test
    void aFixedOffsetHeadIsNeverAnInductionOrDuplicateTokenHead() {
        Map<String, HeadScores> scores = detect();
        for (String id : List.of("induction", "duplicate-token")) {
            HeadScores s = scores.get(id);
            for (int h = 0; h < 2; h++) {
                assertFalse(s.labelled(0, h), id + " labelled head " + h + " with score " + s.score(0, h));
                assertTrue(s.score(0, h) < 0.3, id + " head " + h + " scored " + s.score(0, h));
            }
        }
    }

    @Test
    void settingsRecordTheProbesAndTheRule() {
        Map<String, HeadScores> scores = detect();
        HeadScores s = scores.get("induction");
        assertEquals("targeted", s.settings().get("measure"));
        assertEquals("32", s.settings().get("probe_length"));
        assertEquals("3", s.settings().get("seed"));
        assertEquals("0", s.settings().get("bos_token_id"));
        assertTrue(s.settings().get("label_rule").contains("score - control >= 0.3"));
        assertTrue(s.evidence(0, 0).components().containsKey("ov_copy_z"));
    }

    @Test
    void transformerLensMulReproducesTheValueItsFormulaGives() {
        Map<String, HeadScores> tl = detect(Map.of("previous-token.measure", "tl-mul", "induction.measure", "tl-mul",
                "duplicate-token.measure", "tl-abs"));
        HeadScores prev = tl.get("previous-token");
        assertEquals("tl-mul", prev.settings().get("measure"));
        // 31 rows (BOS + 15 + 15); every row but BOS's puts all its mass on the previous token, and TL divides by the
        // mass of all 31 rows: 30/31.
        assertEquals(30.0 / 31, prev.score(0, 0), 0.01);
        // The five-back head: only rows 1..4 (uniform, no key five back) touch the previous token:
        // (1/2 + 1/3 + 1/4 + 1/5) / 31.
        assertEquals((1.0 / 2 + 1.0 / 3 + 1.0 / 4 + 1.0 / 5) / 31, prev.score(0, 1), 0.01);
        // On BOS + r + r the induction target is 14 back: neither head finds it.
        assertTrue(tl.get("induction").score(0, 0) < 0.05 && tl.get("induction").score(0, 1) < 0.05);
        assertTrue(tl.get("induction").settings().get("prompts").startsWith("TransformerLens format: BOS, then 15"));
        // abs compares whole patterns, so both heads are far from the duplicate-token pattern.
        assertTrue(tl.get("duplicate-token").score(0, 0) < 0.5, "" + tl.get("duplicate-token").score(0, 0));
    }
}
