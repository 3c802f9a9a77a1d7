package io.circuitscope.wiki.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.circuitscope.wiki.AttentionProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatternThumbnailTest {
    @Test
    void aLowerTriangleOfCellsWithTokensOnBothAxesAndTheStrongestPairNamed() {
        float[][][][] p = {{{{1, 0, 0}, {0.7f, 0.3f, 0}, {0.5f, 0.4f, 0.1f}}}};
        AttentionProbe probe = new AttentionProbe("probe", "three tokens",
                List.of("<BOS>", "a", "averyveryverylongtoken"), p);
        PatternThumbnail t = PatternThumbnail.of(probe, 0, 0);
        assertEquals(6, t.cells().size(), "only keys at or before the query");
        PatternThumbnail.Cell last = t.cells().get(5);
        assertEquals(PatternThumbnail.MARGIN + 2 * PatternThumbnail.CELL, last.x());
        assertEquals(PatternThumbnail.MARGIN + 2 * PatternThumbnail.CELL, last.y());
        assertEquals("2 averyveryverylongtoken \u2192 2 averyveryverylongtoken: 0.100", last.tooltip());
        assertEquals("#08306b", t.cells().get(0).fill());
        assertEquals("strongest weight off the diagonal and off BOS 0.40: 2 averyveryverylongtoken \u2192 1 a: 0.400",
                t.strongest(), "BOS, though heavier, is not the pair shown");
        assertEquals("averyvery\u2026", t.queries().get(2).text());
        assertEquals("averyveryverylongtoken", t.keys().get(2).full());
        assertEquals(PatternThumbnail.MARGIN + 3 * PatternThumbnail.CELL + 4, t.width());
        assertEquals(PatternThumbnail.MARGIN + 3 * PatternThumbnail.CELL + 4, t.height());
        assertEquals(new PatternThumbnail.Label(PatternThumbnail.MARGIN - 4,
                PatternThumbnail.MARGIN + 2 * PatternThumbnail.CELL + PatternThumbnail.CELL - 4, "averyvery\u2026",
                "averyveryverylongtoken"), t.queries().get(2));
        assertEquals(new PatternThumbnail.Label(PatternThumbnail.MARGIN + PatternThumbnail.CELL
                + PatternThumbnail.CELL - 4, PatternThumbnail.MARGIN - 4, "a", "a"), t.keys().get(1));
    }

    @Test
    void theDiagonalIsNeverTheStrongestPairAndTenCharactersFit() {
        float[][][][] p = {{{{1, 0}, {0.1f, 0.9f}}}};
        PatternThumbnail t = PatternThumbnail.of(new AttentionProbe("p", "", List.of("tencharsxx", "b"), p), 0, 0);
        assertEquals("strongest weight off the diagonal and off BOS 0.10: 1 b \u2192 0 tencharsxx: 0.100",
                t.strongest(), "without BOS the first key counts, and the heavier diagonal does not");
        assertEquals("tencharsxx", t.queries().get(0).text());
    }
}
