package io.circuitscope.wiki.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.discovery.eval.FaithfulnessCurve;
import java.util.List;
import org.junit.jupiter.api.Test;

class CurveChartTest {
    @Test
    void budgetsOnALogAxisFaithfulnessUpwardAndTheCircuitMarked() {
        FaithfulnessCurve curve = FaithfulnessCurve.of(List.of(new FaithfulnessCurve.Point(0.001, 1, 0),
                new FaithfulnessCurve.Point(0.01, 10, 0.5), new FaithfulnessCurve.Point(0.1, 100, 1),
                new FaithfulnessCurve.Point(1, 1000, 1)), true);
        CurveChart c = CurveChart.of(curve, 50, 1000, 0.95);
        List<CurveChart.Point> p = c.points();
        assertEquals(CurveChart.LEFT, p.get(0).x(), 1e-9);
        assertEquals(CurveChart.RIGHT, p.get(3).x(), 1e-9);
        assertEquals((CurveChart.RIGHT - CurveChart.LEFT) / 3, p.get(1).x() - p.get(0).x(), 1e-9,
                "each decade is a third of the axis");
        assertEquals(CurveChart.BOTTOM, p.get(0).y(), 1e-9, "f = 0 sits on the axis");
        assertEquals(c.oneY(), p.get(2).y(), 1e-9);
        assertTrue(p.get(1).y() < p.get(0).y() && p.get(2).y() < p.get(1).y(), "higher faithfulness is drawn higher");
        assertEquals("1% of edges (10): faithfulness 0.500", p.get(1).tooltip());
        assertEquals("0.1% of edges (1): faithfulness 0.000", p.get(0).tooltip());
        assertTrue(c.line().startsWith(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", p.get(0).x(),
                p.get(0).y())), c.line());
        assertEquals(4, c.line().split(" ").length);
        assertEquals("discovered circuit: 50 edges (5%), faithfulness 0.950", c.circuit().tooltip());
        assertTrue(c.circuit().x() > p.get(1).x() && c.circuit().x() < p.get(2).x());
        assertEquals(Decimal.of(curve.cpr(), 3), c.cpr());
        assertEquals(Decimal.of(curve.cmd(), 3), c.cmd());
        assertEquals(List.of("0.1%", "1%", "10%", "100%"), c.xTicks().stream().map(CurveChart.Tick::text).toList());
        assertEquals(List.of("0.00", "0.25", "0.50", "0.75", "1.00", "1.25"),
                c.yTicks().stream().map(CurveChart.Tick::text).toList());
    }

    @Test
    void aSpanOfExactlyTwoTicksEveryQuarterAndAnEmptyGraphCountsAsWhole() {
        FaithfulnessCurve curve = FaithfulnessCurve.of(List.of(new FaithfulnessCurve.Point(0.001, 0, -0.75),
                new FaithfulnessCurve.Point(1, 0, 1)), true);
        CurveChart c = CurveChart.of(curve, 0, 0, 1);
        assertEquals(9, c.yTicks().size(), "-0.75 to 1.25 in quarters");
        assertEquals("1.25", c.yTicks().get(8).text());
        assertEquals(CurveChart.RIGHT, c.circuit().x(), 1e-9, "no edges at all: the circuit is the whole graph");
        assertEquals(CurveChart.BOTTOM + 16, c.xTicks().get(0).y(), 1e-9);
    }

    @Test
    void theAxisStretchesToFaithfulnessBelowZeroAndAboveOne() {
        FaithfulnessCurve curve = FaithfulnessCurve.of(List.of(new FaithfulnessCurve.Point(0.001, 1, -0.6),
                new FaithfulnessCurve.Point(1, 9, 2.2)), true);
        CurveChart c = CurveChart.of(curve, 9, 9, 1);
        // The axis runs from -0.75 to 2.25, the quarters around the values.
        assertEquals("-0.75", c.yTicks().get(0).text());
        assertEquals(CurveChart.BOTTOM + 4, c.yTicks().get(0).y(), 1e-9);
        assertEquals("2.25", c.yTicks().get(c.yTicks().size() - 1).text());
        assertEquals(CurveChart.TOP + 4, c.yTicks().get(c.yTicks().size() - 1).y(), 1e-9);
        double span = CurveChart.BOTTOM - CurveChart.TOP;
        assertEquals(CurveChart.BOTTOM - 0.15 / 3 * span, c.points().get(0).y(), 1e-9);
        assertEquals(CurveChart.TOP + 0.05 / 3 * span, c.points().get(1).y(), 1e-9);
        assertEquals("0.5", Decimal.of(0.5, 1));
        assertEquals(0.5, Double.parseDouble(c.yTicks().get(1).text()) - Double.parseDouble(c.yTicks().get(0).text()),
                1e-9, "a tall axis ticks every 0.5");
    }
}
