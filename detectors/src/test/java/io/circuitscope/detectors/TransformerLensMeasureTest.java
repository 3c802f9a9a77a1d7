package io.circuitscope.detectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** TransformerLens's mul and abs measures, checked against values computed by hand. */
class TransformerLensMeasureTest {
    private static final double[][] PATTERN = {{1, 0, 0}, {0.5, 0.5, 0}, {0.2, 0.3, 0.5}};
    private static final double[][] PREVIOUS = TransformerLensMeasure.previousTokenPattern(3);

    @Test
    void mulIsTheMassOnTheDetectionPatternOverAllMass() {
        // (0.5 + 0.3) / 3
        assertEquals(0.8 / 3, TransformerLensMeasure.MUL.score(PATTERN, PREVIOUS, false, false), 1e-12);
        // BOS column zeroed: 0.3 / 1.3
        assertEquals(0.3 / 1.3, TransformerLensMeasure.MUL.score(PATTERN, PREVIOUS, true, false), 1e-12);
        // diagonal zeroed: 0.8 / 1.0
        assertEquals(0.8, TransformerLensMeasure.MUL.score(PATTERN, PREVIOUS, false, true), 1e-12);
    }

    @Test
    void absIsOneMinusTheRoundedMeanDifferenceTimesSize() {
        // |P - D| sums to 3.4; 3.4 / 9 * 3 = 1.1333 -> 1.133
        assertEquals(1 - 1.133, TransformerLensMeasure.ABS.score(PATTERN, PREVIOUS, false, false), 1e-12);
        // Only |0.3 - 1| = 0.7 survives both exclusions: 0.7 / 9 * 3 = 0.2333 -> 0.233
        assertEquals(1 - 0.233, TransformerLensMeasure.ABS.score(PATTERN, PREVIOUS, true, true), 1e-12);
        // A perfect pattern scores exactly 1.
        assertEquals(1.0, TransformerLensMeasure.ABS.score(PREVIOUS, PREVIOUS, false, false), 1e-12);
    }

    @Test
    void detectionPatternsFollowTransformerLens() {
        int[] tokens = {7, 8, 7, 8};
        double[][] dup = TransformerLensMeasure.duplicateTokenPattern(tokens);
        assertArrayEquals(new double[] {1, 0, 0, 0}, dup[2]);
        assertArrayEquals(new double[] {0, 1, 0, 0}, dup[3]);
        assertArrayEquals(new double[] {0, 0, 0, 0}, dup[1]);
        double[][] induction = TransformerLensMeasure.inductionPattern(tokens);
        assertArrayEquals(new double[] {0, 1, 0, 0}, induction[2]);
        assertArrayEquals(new double[] {0, 0, 1, 0}, induction[3]);
        assertArrayEquals(new double[] {0, 0, 0}, PREVIOUS[0]);
        assertArrayEquals(new double[] {0, 1, 0}, PREVIOUS[2]);
    }

    @Test
    void onlyTheTwoTransformerLensMeasuresParse() {
        assertEquals(TransformerLensMeasure.MUL, TransformerLensMeasure.parse("tl-mul"));
        assertEquals(TransformerLensMeasure.ABS, TransformerLensMeasure.parse("tl-abs"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransformerLensMeasure.parse("mul"));
        assertEquals("unknown measure 'mul'; expected targeted, tl-mul or tl-abs", e.getMessage());
    }
}
