package io.circuitscope.wiki.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.ModelShape;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeatmapTest {
    private static final ModelShape SHAPE = new ModelShape(2, 3, 16, 4, 10, 8, 0, true, "LN");

    @Test
    void oneLinkedCellPerHeadLaidOutByLayerAndHeadWithLabelsOutlined() {
        HeadScores s = HeadScores.builder(SHAPE).score(1, 2, 0.9, 0.1).label(1, 2).score(0, 1, 0.25, 0.3).build();
        Heatmap m = Heatmap.of("induction", "what it measures", s);
        assertEquals(6, m.cells().size());
        Heatmap.Cell c = m.cells().get(5);
        assertEquals(Heatmap.LEFT + 2 * Heatmap.CELL_W, c.x());
        assertEquals(Heatmap.TOP + Heatmap.CELL_H, c.y());
        assertEquals("heads/L1H2.html", c.href());
        assertTrue(c.labelled());
        assertEquals("0.90", c.value());
        assertEquals("a1.h2 induction 0.9000, control 0.1000 (labelled)", c.tooltip());
        assertFalse(m.cells().get(1).labelled());
        assertEquals("a0.h1 induction 0.2500, control 0.3000", m.cells().get(1).tooltip());
        assertEquals(1, m.labelled());
        assertEquals(List.of("L0", "L1"), m.rowLabels().stream().map(Heatmap.Text::text).toList());
        assertEquals(List.of("H0", "H1", "H2"), m.colLabels().stream().map(Heatmap.Text::text).toList());
        assertEquals("0.00", m.legendLo());
        assertEquals("1.00", m.legendHi());
        assertEquals(Heatmap.TOP + 2 * Heatmap.CELL_H + 14, m.legendY());
        assertTrue(m.width() >= Heatmap.LEFT + 3 * Heatmap.CELL_W);
    }

    @Test
    void geometryOfLabelsTextAndLegend() {
        ModelShape wide = new ModelShape(2, 6, 16, 4, 10, 8, 0, true, "LN");
        HeadScores s = HeadScores.builder(wide).score(1, 5, 2.0, 0.5).build();
        Heatmap m = Heatmap.of("x", "", s);
        assertEquals("2.00", m.legendHi(), "the scale grows to the largest score");
        assertEquals(new Heatmap.Text(34 + 5 * 44 + 22, 14, "H5"), m.colLabels().get(5));
        assertEquals(new Heatmap.Text(28, 20 + 26 + 13 + 4, "L1"), m.rowLabels().get(1));
        Heatmap.Cell c = m.cells().get(11);
        assertEquals(34 + 5 * 44 + 22, c.textX(), 1e-9);
        assertEquals(20 + 26 + 13 + 4, c.textY(), 1e-9);
        assertEquals("#f7fbff", m.cells().get(0).fill());
        assertEquals(20 + 2 * 26 + 14, m.legendY());
        assertEquals(200, m.legendWidth(), "the legend is at most 200 wide");
        assertEquals(34 + 6 * 44 + 4, m.width());
        assertEquals(m.legendY() + 34, m.height());
        assertEquals(m.legendY() - 3, m.controlMark().y1());
        assertEquals(m.legendY() + 13, m.controlMark().y2());
        Heatmap narrow = Heatmap.of("x", "", HeadScores.builder(new ModelShape(1, 1, 16, 4, 10, 8, 0, true, "LN"))
                .build());
        assertEquals(120, narrow.legendWidth(), "and at least 120");
        assertEquals(34 + 120 + 60 + 4, narrow.width());
    }

    @Test
    void theControlBaselineIsDescribedAndMarkedOnTheLegend() {
        HeadScores s = HeadScores.builder(SHAPE).score(0, 0, 0.5, 0.2).score(0, 1, 0.5, 0.4).build();
        Heatmap m = Heatmap.of("x", "", s);
        assertEquals("control baseline (marked on the legend): mean 0.300 (range 0.200 to 0.400)", m.control());
        assertEquals(m.legendX() + 0.3 * m.legendWidth(), m.controlMark().x(), 1e-9);
        assertEquals("control 0.30", m.controlMark().text());
        HeadScores none = HeadScores.builder(SHAPE).score(0, 0, 0.5, Double.NaN).build();
        assertEquals("no control score", Heatmap.of("x", "", none).control());
        assertNull(Heatmap.of("x", "", none).controlMark());
    }
}
