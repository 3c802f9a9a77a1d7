package io.circuitscope.detectors;

import io.circuitscope.spi.FactoredCircuit;
import io.circuitscope.spi.Tensor;
import io.circuitscope.spi.WeightView;

/**
 * Whether a head's OV circuit copies: for each candidate token t, the head's output when it attends to t's embedding
 * (W_E[t] W_V W_O), read out through W_U over the candidates only. Layer norms are not applied, as in
 * TransformerLens's {@code OV} circuit analysis; the z-score is unchanged by the final norm's overall scale.
 */
final class OvCopying {
    /** How much a head copies: mean z-score of t's own logit among the candidates, and how often t ranks first. */
    record CopyScore(double meanZ, double top1Share) {
    }

    private final int[] candidates;
    private final float[][] embeddings;
    private final float[][] unembeddings;

    OvCopying(WeightView weights, int[] candidates) {
        this.candidates = candidates.clone();
        Tensor wE = weights.parameter("embed.W_E");
        Tensor wU = weights.parameter("unembed.W_U");
        int d = wE.dim(1);
        embeddings = new float[candidates.length][d];
        unembeddings = new float[candidates.length][d];
        for (int i = 0; i < candidates.length; i++) {
            for (int j = 0; j < d; j++) {
                embeddings[i][j] = wE.get(candidates[i], j);
                unembeddings[i][j] = wU.get(j, candidates[i]);
            }
        }
    }

    CopyScore of(FactoredCircuit ov) {
        float[] v = ov.left().data();
        float[] o = ov.right().data();
        int d = ov.left().dim(0);
        int dh = ov.left().dim(1);
        int n = candidates.length;
        double zSum = 0;
        int first = 0;
        double[] hidden = new double[dh];
        double[] out = new double[d];
        double[] logits = new double[n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(hidden, 0);
            for (int j = 0; j < d; j++) {
                double e = embeddings[i][j];
                for (int k = 0; k < dh; k++) {
                    hidden[k] += e * v[j * dh + k];
                }
            }
            java.util.Arrays.fill(out, 0);
            for (int k = 0; k < dh; k++) {
                for (int j = 0; j < d; j++) {
                    out[j] += hidden[k] * o[k * d + j];
                }
            }
            double mean = 0;
            for (int c = 0; c < n; c++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += out[j] * unembeddings[c][j];
                }
                logits[c] = s;
                mean += s / n;
            }
            double var = 0;
            boolean top = true;
            for (int c = 0; c < n; c++) {
                var += (logits[c] - mean) * (logits[c] - mean) / n;
                if (c != i && logits[c] >= logits[i]) {
                    top = false;
                }
            }
            zSum += var == 0 ? 0 : (logits[i] - mean) / Math.sqrt(var);
            first += top ? 1 : 0;
        }
        return new CopyScore(zSum / n, (double) first / n);
    }
}
