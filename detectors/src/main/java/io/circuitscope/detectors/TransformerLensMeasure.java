package io.circuitscope.detectors;

/**
 * TransformerLens's head-detector similarity between one head's attention pattern and a detection pattern, as its
 * {@code compute_head_attention_similarity_score} computes it, so users can reproduce the numbers they know. This
 * computes in double precision where TransformerLens uses float32, so a last digit may differ.
 */
enum TransformerLensMeasure {
    /** sum(pattern * detection) / sum(pattern), after zeroing excluded entries of the pattern. */
    MUL,
    /** 1 - round(mean|pattern - detection| * size, 3), after zeroing excluded entries of the difference. */
    ABS;

    /** Parses the {@code measure} option's TransformerLens values: {@code tl-mul} and {@code tl-abs}. */
    static TransformerLensMeasure parse(String value) {
        return switch (value) {
            case "tl-mul" -> MUL;
            case "tl-abs" -> ABS;
            default -> throw new IllegalArgumentException("unknown measure '" + value
                    + "'; expected targeted, tl-mul or tl-abs");
        };
    }

    /**
     * @param pattern one head's attention [query][key] on one prompt
     * @param detection the ideal pattern of the same size
     * @param excludeBos zero column 0 first (TransformerLens's {@code exclude_bos})
     * @param excludeCurrent zero the diagonal first (TransformerLens's {@code exclude_current_token})
     */
    double score(double[][] pattern, double[][] detection, boolean excludeBos, boolean excludeCurrent) {
        int n = pattern.length;
        if (this == MUL) {
            double hit = 0;
            double all = 0;
            for (int q = 0; q < n; q++) {
                for (int k = 0; k < n; k++) {
                    double a = excluded(q, k, excludeBos, excludeCurrent) ? 0 : pattern[q][k];
                    hit += a * detection[q][k];
                    all += a;
                }
            }
            return hit / all;
        }
        double sum = 0;
        for (int q = 0; q < n; q++) {
            for (int k = 0; k < n; k++) {
                if (!excluded(q, k, excludeBos, excludeCurrent)) {
                    sum += Math.abs(pattern[q][k] - detection[q][k]);
                }
            }
        }
        double meanTimesSize = sum / ((double) n * n) * n;
        // Python's round(x, 3) rounds the double's exact binary value half to even, as BigDecimal(double) does.
        return 1 - new java.math.BigDecimal(meanTimesSize).setScale(3, java.math.RoundingMode.HALF_EVEN)
                .doubleValue();
    }

    private static boolean excluded(int q, int k, boolean excludeBos, boolean excludeCurrent) {
        return (excludeBos && k == 0) || (excludeCurrent && q == k);
    }

    /** Ones on the subdiagonal: each token attends to the one before it. */
    static double[][] previousTokenPattern(int n) {
        double[][] d = new double[n][n];
        for (int q = 1; q < n; q++) {
            d[q][q - 1] = 1;
        }
        return d;
    }

    /** Ones where an earlier token equals the query token (TransformerLens's duplicate-token pattern). */
    static double[][] duplicateTokenPattern(int[] tokens) {
        int n = tokens.length;
        double[][] d = new double[n][n];
        for (int q = 0; q < n; q++) {
            for (int k = 0; k < q; k++) {
                d[q][k] = tokens[q] == tokens[k] ? 1 : 0;
            }
        }
        return d;
    }

    /** The duplicate-token pattern shifted one key to the right: attend to the token after an earlier copy. */
    static double[][] inductionPattern(int[] tokens) {
        double[][] dup = duplicateTokenPattern(tokens);
        int n = tokens.length;
        double[][] d = new double[n][n];
        for (int q = 0; q < n; q++) {
            for (int k = 1; k <= q; k++) {
                d[q][k] = dup[q][k - 1];
            }
        }
        return d;
    }
}
