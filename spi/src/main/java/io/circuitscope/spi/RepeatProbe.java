package io.circuitscope.spi;

/**
 * A sequence of random tokens in which {@code tokens[firstStart, firstStart + length)} recurs at
 * {@code [secondStart, secondStart + length)}; a control sequence has length 0 and no deliberate repeat.
 */
public record RepeatProbe(int[] tokens, int firstStart, int secondStart, int length) {
    public boolean isControl() {
        return length == 0;
    }
}
