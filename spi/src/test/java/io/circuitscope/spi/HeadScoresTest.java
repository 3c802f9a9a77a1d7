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
        assertThrows(UnsupportedOperationException.class, () -> s.settings().put("x", "y"));
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
