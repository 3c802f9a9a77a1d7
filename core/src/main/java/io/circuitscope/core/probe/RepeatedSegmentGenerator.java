package io.circuitscope.core.probe;

import java.util.SplittableRandom;

/**
 * Draws sequences of random tokens in which a random segment recurs later, with the segment's length and the
 * offset between the copies varied per sequence, so that only content-based induction (not a fixed positional
 * offset) predicts the second copy.
 */
public final class RepeatedSegmentGenerator {
    private final int sequenceLength;
    private final int bosId;
    private final int firstTokenId;
    private final int tokenCount;
    private final int minSegment;
    private final int maxSegment;

    /**
     * @param sequenceLength total length including the BOS token at position 0
     * @param bosId the BOS id placed at position 0, or -1 for none
     * @param firstTokenId the lowest id drawn for segments and filler
     * @param tokenCount how many consecutive ids, starting at {@code firstTokenId}, are drawn from
     * @param minSegment the shortest repeated segment
     * @param maxSegment the longest repeated segment
     */
    public RepeatedSegmentGenerator(int sequenceLength, int bosId, int firstTokenId, int tokenCount, int minSegment,
                                    int maxSegment) {
        int body = sequenceLength - (bosId >= 0 ? 1 : 0);
        if (minSegment < 2 || maxSegment < minSegment || 2L * maxSegment > body) {
            throw new IllegalArgumentException("segments of " + minSegment + ".." + maxSegment
                    + " tokens cannot repeat within " + body + " positions");
        }
        if (tokenCount < 2) {
            throw new IllegalArgumentException("need at least 2 token ids to draw from");
        }
        if (firstTokenId < 0 || (long) firstTokenId + tokenCount > Integer.MAX_VALUE) {
            long last = (long) firstTokenId + tokenCount - 1;
            throw new IllegalArgumentException("token ids " + firstTokenId + ".." + last + " are not valid ids");
        }
        this.sequenceLength = sequenceLength;
        this.bosId = bosId;
        this.firstTokenId = firstTokenId;
        this.tokenCount = tokenCount;
        this.minSegment = minSegment;
        this.maxSegment = maxSegment;
    }

    public int sequenceLength() {
        return sequenceLength;
    }

    public int bosId() {
        return bosId;
    }

    public int firstTokenId() {
        return firstTokenId;
    }

    public int tokenCount() {
        return tokenCount;
    }

    public int minSegment() {
        return minSegment;
    }

    public int maxSegment() {
        return maxSegment;
    }

    /** A sequence with one repeated segment at a random length, start and offset. */
    public RepeatedSegment repeated(SplittableRandom rng) {
        int[] t = filler(rng);
        int start = bosId >= 0 ? 1 : 0;
        int length = minSegment + rng.nextInt(maxSegment - minSegment + 1);
        int room = sequenceLength - start - 2 * length;
        // Choose the first copy's start and the gap independently so that offsets vary as much as starts do.
        int gap = rng.nextInt(room + 1);
        int first = start + rng.nextInt(room - gap + 1);
        int second = first + length + gap;
        System.arraycopy(t, first, t, second, length);
        return new RepeatedSegment(t, first, second, length);
    }

    /** A sequence of random filler with no deliberate repeat. */
    public RepeatedSegment control(SplittableRandom rng) {
        return new RepeatedSegment(filler(rng), 0, 0, 0);
    }

    private int[] filler(SplittableRandom rng) {
        int[] t = new int[sequenceLength];
        int start = 0;
        if (bosId >= 0) {
            t[0] = bosId;
            start = 1;
        }
        for (int i = start; i < sequenceLength; i++) {
            t[i] = firstTokenId + rng.nextInt(tokenCount);
        }
        return t;
    }
}
