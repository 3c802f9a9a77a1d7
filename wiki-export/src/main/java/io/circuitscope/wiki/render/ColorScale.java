package io.circuitscope.wiki.render;

import java.util.List;
import java.util.Locale;

/**
 * Maps scores to colours: white to dark blue when no score is negative, and red through white to blue, symmetric
 * about zero, when some are, so a negative effect never looks like a weak positive one.
 */
final class ColorScale {
    private static final int[] WHITE = {0xf7, 0xfb, 0xff};
    private static final int[] BLUE = {0x08, 0x30, 0x6b};
    private static final int[] RED = {0x99, 0x1b, 0x1b};

    private final double lo;
    private final double hi;
    private final boolean diverging;

    private ColorScale(double lo, double hi, boolean diverging) {
        this.lo = lo;
        this.hi = hi;
        this.diverging = diverging;
    }

    /**
     * A scale that spans every finite value given and at least [0, 1]: detector scores are shares and attention
     * weights, so a model whose best head scores 0.1 shows pale cells rather than noise stretched to full colour.
     */
    static ColorScale spanning(double[] values) {
        double lo = 0;
        double hi = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo < 0) {
            double m = Math.max(Math.max(-lo, hi), 1);
            return new ColorScale(-m, m, true);
        }
        return new ColorScale(0, Math.max(hi, 1), false);
    }

    /** A sequential scale over [0, hi]. */
    static ColorScale sequential(double hi) {
        return new ColorScale(0, hi, false);
    }

    double lo() {
        return lo;
    }

    double hi() {
        return hi;
    }

    /** Where {@code v} falls along the legend bar, 0 at its left end and 1 at its right. */
    double position(double v) {
        return Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
    }

    /** How strongly {@code v} is coloured, 0 (white) to 1 (full colour). */
    double intensity(double v) {
        if (!Double.isFinite(v)) {
            return 0;
        }
        // A sequential scale starts at 0 and holds no negative value, so both kinds measure from zero.
        return Math.min(1, Math.abs(v) / hi);
    }

    String fill(double v) {
        if (!Double.isFinite(v)) {
            return "#e2e8f0";
        }
        return hex(mix(diverging && v < 0 ? RED : BLUE, intensity(v)));
    }

    /** Text on a cell of this value: white where the fill is dark. */
    String ink(double v) {
        return intensity(v) > 0.55 ? "#ffffff" : "#1a202c";
    }

    /** Gradient stops for the legend, from lo to hi. */
    List<Stop> stops() {
        return diverging
                ? List.of(new Stop("0%", hex(RED)), new Stop("50%", hex(WHITE)), new Stop("100%", hex(BLUE)))
                : List.of(new Stop("0%", hex(WHITE)), new Stop("100%", hex(BLUE)));
    }

    /** One gradient stop. */
    record Stop(String offset, String color) {
    }

    private static int[] mix(int[] to, double t) {
        int[] c = new int[3];
        for (int i = 0; i < 3; i++) {
            c[i] = (int) Math.round(WHITE[i] + (to[i] - WHITE[i]) * t);
        }
        return c;
    }

    private static String hex(int[] c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", c[0], c[1], c[2]);
    }
}
