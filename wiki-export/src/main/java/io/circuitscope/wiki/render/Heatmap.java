package io.circuitscope.wiki.render;

import io.circuitscope.spi.HeadScores;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One detector's scores as a layer × head grid for an inline SVG: every cell coloured by score, printed with it,
 * outlined when the head is labelled, and linked to the head's page; a legend and the control baseline below.
 */
record Heatmap(String id, String title, String description, int width, int height, List<Text> rowLabels,
               List<Text> colLabels, List<Cell> cells, List<ColorScale.Stop> stops, int legendY, int legendX,
               int legendWidth, String legendLo, String legendHi, String control, Marker controlMark,
               int labelled) {
    static final int CELL_W = 44;
    static final int CELL_H = 26;
    static final int LEFT = 34;
    static final int TOP = 20;

    /** A positioned piece of text. */
    record Text(double x, double y, String text) {
    }

    /** The control baseline's mean, marked on the legend bar. */
    record Marker(double x, double y1, double y2, String text) {
    }

    /** One head's cell. */
    record Cell(int x, int y, int w, int h, String fill, String ink, String value, String href, String tooltip,
                boolean labelled, double textX, double textY) {
    }

    static Heatmap of(String id, String description, HeadScores s) {
        int layers = s.layers();
        int heads = s.heads();
        double[] all = new double[layers * heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                all[l * heads + h] = s.score(l, h);
            }
        }
        ColorScale scale = ColorScale.spanning(all);
        List<Cell> cells = new ArrayList<>();
        List<Text> rows = new ArrayList<>();
        List<Text> cols = new ArrayList<>();
        int labelled = 0;
        for (int h = 0; h < heads; h++) {
            cols.add(new Text(LEFT + h * CELL_W + CELL_W / 2.0, TOP - 6, "H" + h));
        }
        for (int l = 0; l < layers; l++) {
            rows.add(new Text(LEFT - 6, TOP + l * CELL_H + CELL_H / 2.0 + 4, "L" + l));
            for (int h = 0; h < heads; h++) {
                double v = s.score(l, h);
                boolean mark = s.labelled(l, h);
                labelled += mark ? 1 : 0;
                int x = LEFT + h * CELL_W;
                int y = TOP + l * CELL_H;
                String tip = String.format(Locale.ROOT, "a%d.h%d %s %s, control %s%s", l, h, id,
                        Decimal.of(v, 4), Decimal.of(s.control(l, h), 4), mark ? " (labelled)" : "");
                cells.add(new Cell(x, y, CELL_W, CELL_H, scale.fill(v), scale.ink(v), Decimal.of(v, 2),
                        HeadPages.fileName(l, h), tip, mark, x + CELL_W / 2.0, y + CELL_H / 2.0 + 4));
            }
        }
        int gridW = LEFT + heads * CELL_W;
        int legendY = TOP + layers * CELL_H + 14;
        int legendW = Math.min(200, Math.max(120, gridW - LEFT));
        ControlStats control = ControlStats.of(s);
        Marker mark = Double.isNaN(control.mean()) ? null : new Marker(LEFT + legendW * scale.position(control.mean()),
                legendY - 3, legendY + 13, "control " + Decimal.of(control.mean(), 2));
        return new Heatmap(id, id, description, Math.max(gridW, LEFT + legendW + 60) + 4, legendY + 34, rows, cols,
                cells, scale.stops(), legendY, LEFT, legendW, Decimal.of(scale.lo(), 2), Decimal.of(scale.hi(), 2),
                control.note(), mark, labelled);
    }

    /** The control scores' mean and range over the heads that have one; the mean is NaN when none has. */
    private record ControlStats(double mean, double lo, double hi) {
        static ControlStats of(HeadScores s) {
            double sum = 0;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            int n = 0;
            for (int l = 0; l < s.layers(); l++) {
                for (int h = 0; h < s.heads(); h++) {
                    double c = s.control(l, h);
                    if (Double.isFinite(c)) {
                        sum += c;
                        lo = Math.min(lo, c);
                        hi = Math.max(hi, c);
                        n++;
                    }
                }
            }
            return new ControlStats(sum / n, lo, hi);     // 0 / 0: NaN when no head has a control
        }

        /** The control baseline in words, or that the detector has none. */
        String note() {
            return Double.isNaN(mean) ? "no control score" : "control baseline (marked on the legend): mean "
                    + Decimal.of(mean, 3) + " (range " + Decimal.of(lo, 3) + " to " + Decimal.of(hi, 3) + ")";
        }
    }
}
