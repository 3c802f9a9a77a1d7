package io.circuitscope.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadScoresTest {
    private static final ModelShape SHAPE = new ModelShape(2, 3, 8, 4, 10, 16, 0, true, "LN");

    @Test
    void headsStartUnscoredWithoutControlLabelOrEvidence() {
        HeadScores s = HeadScores.builder(SHAPE).build();
        assertEquals(2, s.layers());
        assertEquals(3, s.heads());
        assertEquals(0.0, s.score(1, 2));
        assertTrue(Double.isNaN(s.control(1, 2)));
        assertFalse(s.labelled(1, 2));
        assertEquals(Map.of(), s.evidence(1, 2).components());
        assertNull(s.mismatch(SHAPE));
        assertEquals(0, s.labelledCount());
        assertEquals(2, HeadScores.builder(SHAPE).label(0, 0).label(1, 2).label(1, 2).build().labelledCount());
    }

    @Test
    void theBuiltResultIsAFrozenCopy() {
        HeadScores.Builder b = HeadScores.builder(SHAPE).score(0, 1, 0.7, 0.1).label(0, 1).setting("z", 2)
                .setting("a", 0.5).evidence(0, 1, HeadEvidence.of(Map.of("b", 1.0, "a", 2.0)));
        HeadScores s = b.build();
        b.score(0, 1, 0.2, 0.2).label(1, 1).setting("a", "changed");
        assertEquals(0.7, s.score(0, 1));
        assertEquals(0.1, s.control(0, 1));
        assertTrue(s.labelled(0, 1));
        assertFalse(s.labelled(1, 1));
        assertEquals(List.of("a", "z"), List.copyOf(s.settings().keySet()));
        assertEquals("0.5", s.settings().get("a"));
        assertEquals(List.of("a", "b"), List.copyOf(s.evidence(0, 1).components().keySet()));
        assertEquals(Map.of(), s.evidence(1, 0).components());
        assertEquals(0, HeadScores.builder(new ModelShape(0, 3, 8, 4, 10, 16, 0, true, "LN")).build().heads());
        assertThrows(UnsupportedOperationException.class, () -> s.settings().put("x", "y"));
    }

    @Test
    void smallValueTypesSayWhatTheyHold() {
        assertTrue(SHAPE.hasBos());
        assertFalse(new ModelShape(1, 1, 8, 4, 10, 16, -1, true, "none").hasBos());
        assertTrue(new RepeatProbe(new int[] {0, 1}, 0, 0, 0).isControl());
        assertFalse(new RepeatProbe(new int[] {0, 1, 1}, 1, 2, 1).isControl());
        HookPatch whole = HookPatch.replace("x", Tensor.zeros(1));
        assertEquals(-1, whole.head());
        assertEquals(2, HookPatch.replaceHead("x", 2, Tensor.zeros(1)).head());
        assertEquals(0, HookPatch.replaceHead("x", 0, Tensor.zeros(1)).head());
        assertThrows(IllegalArgumentException.class, () -> HookPatch.replaceHead("x", -1, Tensor.zeros(1)));
        assertEquals(List.of("blocks.3.attn.hook_pattern", "blocks.3.attn.hook_result", "blocks.3.hook_q_input",
                        "blocks.3.hook_k_input", "blocks.3.hook_resid_pre", "ln_final.hook_scale", "logits"),
                List.of(HookPoints.pattern(3), HookPoints.result(3), HookPoints.qInput(3), HookPoints.kInput(3),
                        HookPoints.residPre(3), HookPoints.finalScale(), HookPoints.LOGITS));
    }

    @Test
    void mismatchNamesWhatDoesNotFit() {
        ModelShape other = new ModelShape(2, 4, 8, 4, 10, 16, 0, true, "LN");
        assertEquals("a layer has 3 scores, the model has 4 heads", HeadScores.builder(SHAPE).build()
                .mismatch(other));
        assertEquals("scores for 2 layers, the model has 3", HeadScores.builder(SHAPE).build()
                .mismatch(new ModelShape(3, 3, 8, 4, 10, 16, 0, true, "LN")));
        assertEquals("the score of L1H2 is Infinity", HeadScores.builder(SHAPE)
                .score(1, 2, Double.POSITIVE_INFINITY, 0).build().mismatch(SHAPE));
        // A control may be NaN (no control); only scores must be finite.
        assertNull(HeadScores.builder(SHAPE).score(1, 2, 0.5, Double.NaN).build().mismatch(SHAPE));
    }
}
