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
     * @param tokenCount how many consecutive ids, starting at {@code firstTokenId}, are drawn from; when the BOS id
     *     falls among them it is skipped (the range extends by one), so BOS only ever stands at position 0
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
        if (firstTokenId < 0 || (long) firstTokenId + tokenCount >= Integer.MAX_VALUE) {
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

    /**
     * A sequence whose segment of {@code length} tokens starts at {@code first} and recurs at {@code second}.
     *
     * @throws IllegalArgumentException if the copies overlap, or do not fit after BOS
     */
    public RepeatedSegment placed(SplittableRandom rng, int length, int first, int second) {
        int start = bosId >= 0 ? 1 : 0;
        if (length < 1 || first < start || second < first + length || second + length > sequenceLength) {
            throw new IllegalArgumentException("a segment of " + length + " tokens at " + first + " and " + second
                    + " does not fit in " + sequenceLength + " positions");
        }
        int[] t = filler(rng);
        System.arraycopy(t, first, t, second, length);
        return new RepeatedSegment(t, first, second, length);
    }

    /**
     * A segment of random length whose first copy starts uniformly anywhere it fits, and whose second copy starts
     * uniformly anywhere after it: every placement of every length is possible, late first copies included.
     */
    public RepeatedSegment placedAnywhere(SplittableRandom rng) {
        int start = bosId >= 0 ? 1 : 0;
        int length = minSegment + rng.nextInt(maxSegment - minSegment + 1);
        int first = start + rng.nextInt(sequenceLength - 2 * length - start + 1);
        int second = first + length + rng.nextInt(sequenceLength - length - (first + length) + 1);
        return placed(rng, length, first, second);
    }

    /** BOS (when used), then a random sequence r, then r again: the longest repeat that fits, from the start. */
    public RepeatedSegment plainRepeat(SplittableRandom rng) {
        int start = bosId >= 0 ? 1 : 0;
        int length = (sequenceLength - start) / 2;
        return placed(rng, length, start, start + length);
    }

    /**
     * BOS (when used), then distinct random tokens, as many as the id range allows before tokens must repeat: the
     * control for repeat probes, where no head can find an earlier copy.
     */
    public int[] distinct(SplittableRandom rng) {
        int[] t = filler(rng);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = bosId >= 0 ? 1 : 0; i < sequenceLength; i++) {
            while (seen.size() < tokenCount && !seen.add(t[i])) {
                t[i] = draw(rng);
            }
        }
        return t;
    }

    private int[] filler(SplittableRandom rng) {
        int[] t = new int[sequenceLength];
        int start = 0;
        if (bosId >= 0) {
            t[0] = bosId;
            start = 1;
        }
        for (int i = start; i < sequenceLength; i++) {
            t[i] = draw(rng);
        }
        return t;
    }

    private int draw(SplittableRandom rng) {
        int id = firstTokenId + rng.nextInt(tokenCount);
        return bosId >= firstTokenId && id >= bosId ? id + 1 : id;
    }
}
