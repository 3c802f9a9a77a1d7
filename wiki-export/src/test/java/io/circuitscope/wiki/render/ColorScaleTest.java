package io.circuitscope.wiki.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ColorScaleTest {
    @Test
    void nonNegativeScoresRunFromWhiteToBlueOverAtLeastZeroToOne() {
        ColorScale s = ColorScale.spanning(new double[] {0.1, 0.4, Double.NaN});
        assertEquals(0, s.lo());
        assertEquals(1, s.hi());
        assertEquals("#f7fbff", s.fill(0));
        assertEquals("#08306b", s.fill(1));
        assertEquals("#08306b", s.fill(7), "values beyond the scale are clamped");
        assertEquals("#8096b5", s.fill(0.5));
        assertEquals("#e2e8f0", s.fill(Double.NaN));
        assertEquals(0.25, s.position(0.25), 1e-12);
        assertEquals(List.of(new ColorScale.Stop("0%", "#f7fbff"), new ColorScale.Stop("100%", "#08306b")),
                s.stops());
        ColorScale wide = ColorScale.spanning(new double[] {0.5, 2});
        assertEquals(2, wide.hi());
        assertEquals(0.5, wide.intensity(1), 1e-12);
    }

    @Test
    void aNegativeScoreMakesTheScaleDivergeSymmetricallyWithRedBelowZero() {
        ColorScale s = ColorScale.spanning(new double[] {-2, 0.5});
        assertEquals(-2, s.lo());
        assertEquals(2, s.hi());
        assertEquals("#991b1b", s.fill(-2));
        assertEquals("#08306b", s.fill(2));
        assertEquals("#f7fbff", s.fill(0));
        assertEquals(0.5, s.intensity(-1), 1e-12);
        assertEquals(0.5, s.position(0), 1e-12);
        assertEquals(0, s.position(-5), 1e-12);
        assertEquals(3, s.stops().size());
        assertEquals(1, ColorScale.spanning(new double[] {-0.1}).hi(), "at least [-1, 1]");
    }

    @Test
    void darkCellsGetWhiteText() {
        ColorScale s = ColorScale.sequential(1);
        assertEquals("#ffffff", s.ink(0.9));
        assertEquals("#ffffff", s.ink(0.56));
        assertEquals("#1a202c", s.ink(0.55));
        assertEquals("#1a202c", s.ink(Double.NaN));
        assertEquals(0, s.intensity(Double.NaN));
        assertEquals(0.25, s.intensity(0.25), 1e-12);
    }
}
