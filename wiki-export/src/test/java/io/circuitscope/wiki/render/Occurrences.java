package io.circuitscope.wiki.render;

/** Counts how often {@code part} occurs in {@code text}, overlapping occurrences included. */
final class Occurrences {
    private Occurrences() {
    }

    static int of(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
