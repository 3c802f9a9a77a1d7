package io.circuitscope.detectors;

import io.circuitscope.spi.AttendedPair;
import io.circuitscope.spi.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Attention mass on designated keys, averaged only over query rows that have a target (TransformerLens averages over
 * every row, so on natural text no head can reach 1), and the token pairs a head attends between most.
 */
final class TargetedAttention {
    static final int TOP_PAIRS = 5;

    private TargetedAttention() {
    }

    /** Each head's mean attention on its row's target key, for a pattern [batch, head, query, key]. */
    static double[] meanMass(Tensor pattern, List<RowTarget> targets) {
        int heads = pattern.dim(1);
        double[] sum = new double[heads];
        for (RowTarget t : targets) {
            for (int h = 0; h < heads; h++) {
                sum[h] += pattern.get(t.batch(), h, t.query(), t.key());
            }
        }
        for (int h = 0; h < heads; h++) {
            sum[h] = targets.isEmpty() ? 0 : sum[h] / targets.size();
        }
        return sum;
    }

    /**
     * The token pairs (query token, key token) a head attends between most: for each target row the key the head
     * attends to most, grouped by token pair, ranked by mean weight (ties by token ids, so output is deterministic).
     */
    static List<AttendedPair> topPairs(Tensor pattern, int[][] tokens, int head, List<RowTarget> rows) {
        Map<Long, double[]> byPair = new HashMap<>();
        for (RowTarget r : rows) {
            int best = 0;
            for (int k = 1; k <= r.query(); k++) {
                if (pattern.get(r.batch(), head, r.query(), k) > pattern.get(r.batch(), head, r.query(), best)) {
                    best = k;
                }
            }
            int q = tokens[r.batch()][r.query()];
            int k = tokens[r.batch()][best];
            double[] acc = byPair.computeIfAbsent(((long) q << 32) | (k & 0xffffffffL), x -> new double[2]);
            acc[0] += pattern.get(r.batch(), head, r.query(), best);
            acc[1]++;
        }
        List<AttendedPair> pairs = new ArrayList<>();
        byPair.forEach((key, acc) -> pairs.add(new AttendedPair((int) (key >> 32), (int) (long) key,
                acc[0] / acc[1], (int) acc[1])));
        pairs.sort(Comparator.comparingDouble(AttendedPair::weight).reversed()
                .thenComparingInt(AttendedPair::queryToken).thenComparingInt(AttendedPair::keyToken));
        return List.copyOf(pairs.subList(0, Math.min(TOP_PAIRS, pairs.size())));
    }
}
