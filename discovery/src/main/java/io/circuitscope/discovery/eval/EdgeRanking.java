package io.circuitscope.discovery.eval;

import java.util.BitSet;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Edges ordered by score, highest first: by |score| (MIB's default, since an edge whose removal helps the metric
 * matters as much as one whose removal hurts it) or by the signed score. Ties keep the canonical edge order, so the
 * ranking is deterministic.
 */
public final class EdgeRanking {
    private final int[] order;
    private final boolean absolute;

    public EdgeRanking(double[] scores, boolean absolute) {
        this.absolute = absolute;
        Comparator<Integer> byScore = Comparator.comparingDouble(i -> -key(scores[i], absolute));
        this.order = IntStream.range(0, scores.length).boxed().sorted(byScore.thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    /** What an edge is ranked by: |score|, or the score itself. */
    public static double key(double score, boolean absolute) {
        return absolute ? Math.abs(score) : score;
    }

    /** True when edges are ranked by absolute score. */
    public boolean absolute() {
        return absolute;
    }

    /** The n best edges. */
    public BitSet top(int n) {
        BitSet out = new BitSet(order.length);
        for (int i = 0; i < Math.min(n, order.length); i++) {
            out.set(order[i]);
        }
        return out;
    }

    /** Edge indices, best first. */
    public int[] order() {
        return order.clone();
    }

    public int size() {
        return order.length;
    }
}
