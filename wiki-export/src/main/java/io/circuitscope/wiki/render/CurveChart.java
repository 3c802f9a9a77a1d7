package io.circuitscope.wiki.render;

import io.circuitscope.discovery.eval.FaithfulnessCurve;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * MIB's faithfulness curve for an inline SVG: faithfulness against the share of edges kept (log scale, 0.1% to
 * 100%), with the line f = 1, the discovered circuit as its own marker, and CPR and CMD in the caption.
 */
record CurveChart(int width, int height, String line, List<Point> points, List<Tick> xTicks, List<Tick> yTicks,
                  double oneY, double left, double right, double top, double bottom, Point circuit, String cpr,
                  String cmd) {
    static final int W = 460;
    static final int H = 270;
    static final double LEFT = 48;
    static final double RIGHT = W - 16;
    static final double TOP = 16;
    static final double BOTTOM = H - 40;

    /** A plotted point with its tooltip. */
    record Point(double x, double y, String tooltip) {
    }

    /** An axis tick. */
    record Tick(double x, double y, String text) {
    }

    static CurveChart of(FaithfulnessCurve curve, int circuitEdges, int totalEdges, double circuitFaithfulness) {
        double lo = Math.min(0, circuitFaithfulness);
        double hi = Math.max(1.1, circuitFaithfulness);
        for (FaithfulnessCurve.Point p : curve.points()) {
            if (Double.isFinite(p.faithfulness())) {
                lo = Math.min(lo, p.faithfulness());
                hi = Math.max(hi, p.faithfulness());
            }
        }
        double yLo = Math.floor(lo * 4) / 4;
        double yHi = Math.ceil(hi * 4) / 4;
        List<Point> points = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (FaithfulnessCurve.Point p : curve.points()) {
            double x = x(p.budget());
            double y = y(p.faithfulness(), yLo, yHi);
            points.add(new Point(x, y, String.format(Locale.ROOT, "%s of edges (%d): faithfulness %s",
                    percent(p.budget()), p.edges(), Decimal.of(p.faithfulness(), 3))));
            line.append(line.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
        }
        List<Tick> xTicks = new ArrayList<>();
        for (double b : new double[] {0.001, 0.01, 0.1, 1}) {
            xTicks.add(new Tick(x(b), BOTTOM + 16, percent(b)));
        }
        List<Tick> yTicks = new ArrayList<>();
        double step = (yHi - yLo) > 2 ? 0.5 : 0.25;
        for (double v = yLo; v <= yHi + 1e-9; v += step) {
            yTicks.add(new Tick(LEFT - 6, y(v, yLo, yHi) + 4, Decimal.of(v, 2)));
        }
        double share = totalEdges == 0 ? 1 : Math.max(0.001, (double) circuitEdges / totalEdges);
        Point circuit = new Point(x(share), y(circuitFaithfulness, yLo, yHi), String.format(Locale.ROOT,
                "discovered circuit: %d edges (%s), faithfulness %s", circuitEdges, percent(share),
                Decimal.of(circuitFaithfulness, 3)));
        return new CurveChart(W, H, line.toString(), points, xTicks, yTicks, y(1, yLo, yHi), LEFT, RIGHT, TOP,
                BOTTOM, circuit, Decimal.of(curve.cpr(), 3), Decimal.of(curve.cmd(), 3));
    }

    private static double x(double budget) {
        double t = (Math.log10(Math.max(budget, 0.001)) + 3) / 3;
        return LEFT + t * (RIGHT - LEFT);
    }

    private static double y(double f, double lo, double hi) {
        double v = Double.isFinite(f) ? Math.max(lo, Math.min(hi, f)) : lo;
        return BOTTOM - (v - lo) / (hi - lo) * (BOTTOM - TOP);
    }

    private static String percent(double share) {
        return share >= 0.01 ? Decimal.of(share * 100, 0) + "%" : Decimal.of(share * 100, 1) + "%";
    }
}
