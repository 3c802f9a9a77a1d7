package io.circuitscope.wiki.render;

import io.circuitscope.wiki.AttentionProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One head's attention on one probe prompt for an inline SVG: a query × key grid shaded by weight, with the
 * prompt's tokens along both axes (keys rotated across the top) and each cell's weight in its tooltip.
 */
record PatternThumbnail(String title, String description, int width, int height, List<Cell> cells,
                        List<Label> queries, List<Label> keys, String strongest) {
    static final int CELL = 15;
    static final int MARGIN = 84;
    static final int LABEL_CHARS = 10;

    /** One query-key cell. */
    record Cell(int x, int y, int size, String fill, String tooltip) {
    }

    /** A token along an axis; {@code full} is its whole text when the label is cut short. */
    record Label(double x, double y, String text, String full) {
    }

    static PatternThumbnail of(AttentionProbe probe, int layer, int head) {
        float[][] p = probe.pattern(layer, head);
        List<String> tokens = probe.tokens();
        int n = tokens.size();
        ColorScale scale = ColorScale.sequential(1);
        List<Cell> cells = new ArrayList<>();
        double best = -1;
        String strongest = "";
        for (int q = 0; q < n; q++) {
            for (int k = 0; k <= q; k++) {
                double w = p[q][k];
                String tip = String.format(Locale.ROOT, "%d %s \u2192 %d %s: %s", q, tokens.get(q), k, tokens.get(k),
                        Decimal.of(w, 3));
                cells.add(new Cell(MARGIN + k * CELL, MARGIN + q * CELL, CELL, scale.fill(w), tip));
                boolean bosKey = k == 0 && tokens.get(0).equals("<BOS>");
                if (k < q && !bosKey && w > best) {
                    best = w;
                    strongest = "strongest weight off the diagonal and off BOS " + Decimal.of(w, 2) + ": " + tip;
                }
            }
        }
        List<Label> queries = new ArrayList<>();
        List<Label> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String t = tokens.get(i);
            String shown = t.codePointCount(0, t.length()) > LABEL_CHARS
                    ? t.substring(0, t.offsetByCodePoints(0, LABEL_CHARS - 1)) + "\u2026" : t;
            queries.add(new Label(MARGIN - 4, MARGIN + i * CELL + CELL - 4, shown, t));
            keys.add(new Label(MARGIN + i * CELL + CELL - 4, MARGIN - 4, shown, t));
        }
        return new PatternThumbnail(probe.title(), probe.description(), MARGIN + n * CELL + 4,
                MARGIN + n * CELL + 4, cells, queries, keys, strongest);
    }
}
