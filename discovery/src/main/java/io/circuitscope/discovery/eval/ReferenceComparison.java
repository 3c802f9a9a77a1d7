package io.circuitscope.discovery.eval;

import java.util.BitSet;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * How a found circuit and its edge scores agree with a reference circuit: edge ROC AUC of the scores against the
 * reference's membership (ties counted half), and the precision and recall of the found edge set.
 */
public record ReferenceComparison(double rocAuc, double precision, double recall, int referenceEdges,
                                  int foundEdges, int sharedEdges) {

    /**
     * @param scores ranking scores, higher meaning more likely in the circuit
     * @throws IllegalArgumentException if the reference's graph has a different number of edges
     */
    public static ReferenceComparison of(double[] scores, BitSet found, BitSet reference, int edgeCount) {
        if (scores.length != edgeCount) {
            throw new IllegalArgumentException("scores cover " + scores.length + " edges, the graph has " + edgeCount);
        }
        int positives = reference.cardinality();
        int negatives = edgeCount - positives;
        double auc = Double.NaN;
        if (positives > 0 && negatives > 0) {
            Integer[] order = IntStream.range(0, edgeCount).boxed().toArray(Integer[]::new);
            java.util.Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
            // Mann-Whitney U with average ranks for ties.
            double rankSum = 0;
            int i = 0;
            while (i < edgeCount) {
                int j = i;
                while (j + 1 < edgeCount && scores[order[j + 1]] == scores[order[i]]) {
                    j++;
                }
                double rank = (i + j) / 2.0 + 1;
                for (int t = i; t <= j; t++) {
                    if (reference.get(order[t])) {
                        rankSum += rank;
                    }
                }
                i = j + 1;
            }
            auc = (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
        }
        BitSet shared = (BitSet) found.clone();
        shared.and(reference);
        int s = shared.cardinality();
        return new ReferenceComparison(auc, found.isEmpty() ? Double.NaN : (double) s / found.cardinality(),
                positives == 0 ? Double.NaN : (double) s / positives, positives, found.cardinality(), s);
    }
}
