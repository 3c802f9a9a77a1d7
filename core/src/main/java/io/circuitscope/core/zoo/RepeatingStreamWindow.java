package io.circuitscope.core.zoo;

import io.circuitscope.core.probe.RepeatedSegment;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Training windows for induction cut at a random offset from a long stream in which segments recur at random
 * distances, so that copies, sources and targets are equally likely at every position of the window; each window
 * starts with BOS and marks as targets exactly the copied tokens whose source and predecessor lie in the window and
 * whose current token occurs only once earlier in it.
 */
final class RepeatingStreamWindow {
    /** Chance that a segment copy starts at a position outside a copy: about half the stream ends up copied. */
    static final double COPY_START = 0.08;
    /**
     * Chance that a copy is short and close: 3 to {@value #SHORT_MAX} tokens, at most {@value #CLOSE_GAP} tokens after
     * its source. A key late in the window only has a later query when the copy is close, so without these the last
     * key positions (and the previous-token heads there) were never trained: a first run scored 0.00 on keys 56-63.
     */
    static final double SHORT_CLOSE = 0.25;
    static final int SHORT_MAX = 6;
    static final int CLOSE_GAP = 3;

    private final int window;
    private final int bosId;
    private final int firstTokenId;
    private final int tokenCount;
    private final int minSegment;
    private final int maxSegment;

    /**
     * @param window the window length including BOS at position 0
     * @param minSegment the shortest copied segment
     * @param maxSegment the longest copied segment; copies reach back at most {@code window - 2} tokens
     */
    RepeatingStreamWindow(int window, int bosId, int firstTokenId, int tokenCount, int minSegment, int maxSegment) {
        if (minSegment < 2 || maxSegment < minSegment || 2 * maxSegment > window - 1) {
            throw new IllegalArgumentException("segments of " + minSegment + ".." + maxSegment
                    + " tokens cannot recur within a window of " + window);
        }
        this.window = window;
        this.bosId = bosId;
        this.firstTokenId = firstTokenId;
        this.tokenCount = tokenCount;
        this.minSegment = minSegment;
        this.maxSegment = maxSegment;
    }

    /** Fills one window's tokens and, per position, the next token induction predicts, or -1. */
    void fill(SplittableRandom rng, int[] tokens, int[] targets) {
        int body = window - 1;
        int length = 3 * body;
        int[] stream = new int[length];
        int[] distance = new int[length];
        int i = 0;
        while (i < length) {
            boolean shortClose = rng.nextDouble() < SHORT_CLOSE;
            int segment = minSegment + rng.nextInt((shortClose ? SHORT_MAX : maxSegment) - minSegment + 1);
            int maxDistance = Math.min(i, shortClose ? segment + CLOSE_GAP : body - 1);
            if (maxDistance >= segment && rng.nextDouble() < COPY_START) {
                int d = segment + rng.nextInt(maxDistance - segment + 1);
                for (int j = 0; j < segment && i < length; j++, i++) {
                    stream[i] = stream[i - d];
                    // The first copied token is not predictable; each later one is, from its predecessor.
                    distance[i] = j == 0 ? 0 : d;
                }
            } else {
                stream[i++] = firstTokenId + rng.nextInt(tokenCount);
            }
        }
        int from = rng.nextInt(length - body + 1);
        Arrays.fill(targets, -1);
        tokens[0] = bosId;
        System.arraycopy(stream, from, tokens, 1, body);
        for (int p = 1; p < window - 1; p++) {
            int d = distance[from + p];  // the stream index of window position p + 1
            if (d > 0 && p - d >= 1 && RepeatedSegment.occursOnceBefore(tokens, p)) {
                targets[p] = tokens[p + 1];
            }
        }
    }
}
