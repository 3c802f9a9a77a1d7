package io.circuitscope.discovery.eval;

import java.util.List;

/**
 * MIB's faithfulness curve: the faithfulness of the top-ranked edges (pruned) at edge budgets of 0.1% to 100%, with
 * its area (CPR, higher is better) and the area of |1 − f| (CMD, lower is better), by the trapezoid rule over the
 * nominal budget as a fraction of all edges, as MIB's {@code evaluate_area_under_curve} computes them (it records
 * the pruned edge counts beside the curve, as {@link Point#edges()} does here, but does not integrate over them).
 */
public record FaithfulnessCurve(List<Point> points, double cpr, double cmd, boolean absoluteRanking) {
    /** MIB's budgets, as fractions of the graph's edges. */
    public static final double[] BUDGETS = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0};

    /**
     * @param budget the fraction of edges selected
     * @param edges the edges left after pruning
     */
    public record Point(double budget, int edges, double faithfulness) {
    }

    /** The areas of a curve's points. */
    public static FaithfulnessCurve of(List<Point> points, boolean absoluteRanking) {
        double cpr = 0;
        double cmd = 0;
        for (int i = 1; i < points.size(); i++) {
            Point a = points.get(i - 1);
            Point b = points.get(i);
            double dx = b.budget() - a.budget();
            cpr += dx * (a.faithfulness() + b.faithfulness()) / 2;
            cmd += dx * (Math.abs(1 - a.faithfulness()) + Math.abs(1 - b.faithfulness())) / 2;
        }
        return new FaithfulnessCurve(List.copyOf(points), cpr, cmd, absoluteRanking);
    }

    /** f = (m(C) − m(∅)) / (m(N) − m(∅)); NaN when the full model and the empty circuit score the same. */
    public static double faithfulness(double circuit, double empty, double full) {
        double range = full - empty;
        return range == 0 ? Double.NaN : (circuit - empty) / range;
    }
}
