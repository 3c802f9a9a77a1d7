package io.circuitscope.wiki.render;

import java.util.Locale;

/** Numbers as pages print them: fixed places, a dash for NaN, and never a negative zero. */
final class Decimal {
    private Decimal() {
    }

    static String of(double v, int places) {
        if (Double.isNaN(v)) {
            return "\u2013";
        }
        String s = String.format(Locale.ROOT, "%." + places + "f", v);
        return s.matches("-0\\.?0*") ? s.substring(1) : s;
    }

    /** A sort key for a table cell: the number, or a value that sorts NaN last in ascending order. */
    static String sortKey(double v) {
        return Double.isNaN(v) ? "1e308" : String.format(Locale.ROOT, "%.9g", v);
    }
}
