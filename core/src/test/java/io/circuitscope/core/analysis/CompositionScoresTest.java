package io.circuitscope.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.RandomWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Composition scores against a plain double-precision computation of the d_model x d_model products. */
class CompositionScoresTest {
    private static final ModelConfig CONFIG = new ModelConfig(3, 12, 2, 4, null, 20, 8, null, "LN", true, "standard",
            1e-5, null, "composition");

    @Test
    void everyPairMatchesTheDirectFrobeniusRatio() {
        ModelWeights w = RandomWeights.dense(CONFIG, 9, 0.5);
        try (HookedTransformer model = HookedTransformer.load(w)) {
            CompositionScores c = CompositionScores.of(model, 1);
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    for (int i = 0; i < 2; i++) {
                        for (int j = 0; j < 2; j++) {
                            for (CompositionScores.Mode mode : CompositionScores.Mode.values()) {
                                double got = c.score(mode, a, i, b, j);
                                if (a >= b) {
                                    assertTrue(Double.isNaN(got));
                                    continue;
                                }
                                double[][] ov = product(w, a, i, "W_V", false, "W_O", false);
                                double[][] right = switch (mode) {
                                    case Q -> product(w, b, j, "W_Q", false, "W_K", true);
                                    case K -> transpose(product(w, b, j, "W_Q", false, "W_K", true));
                                    case V -> product(w, b, j, "W_V", false, "W_O", false);
                                };
                                double want = norm(multiply(ov, right)) / (norm(ov) * norm(right));
                                assertEquals(want, got, 1e-4, mode + " a" + a + ".h" + i + " -> a" + b + ".h" + j);
                            }
                        }
                    }
                }
            }
            // The baseline is what random matrices of these shapes score: the pairs of this random model, on average.
            for (CompositionScores.Mode mode : CompositionScores.Mode.values()) {
                double mean = 0;
                int n = 0;
                for (int a = 0; a < 3; a++) {
                    for (int b = a + 1; b < 3; b++) {
                        for (int i = 0; i < 2; i++) {
                            for (int j = 0; j < 2; j++) {
                                mean += c.score(mode, a, i, b, j);
                                n++;
                            }
                        }
                    }
                }
                mean /= n;
                assertEquals(mean, c.baseline(mode), 0.25 * mean, mode + " baseline vs random pairs");
            }
        }
    }

    @Test
    void partnersComeStrongestFirstFromBothDirections() {
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(CONFIG, 4, 0.5))) {
            CompositionScores c = CompositionScores.of(model, 1);
            List<CompositionScores.Pair> p = c.strongestPartners(CompositionScores.Mode.K, 1, 0, 10);
            assertEquals(4, p.size());  // two heads before layer 1 and two after
            for (int i = 1; i < p.size(); i++) {
                assertTrue(p.get(i - 1).score() >= p.get(i).score());
            }
            assertTrue(p.stream().allMatch(x -> (x.toLayer() == 1 && x.toHead() == 0)
                    || (x.fromLayer() == 1 && x.fromHead() == 0)));
        }
    }

    /** One head's [d_model, d_model] product of two of its weights, each optionally transposed. */
    private static double[][] product(ModelWeights w, int layer, int head, String a, boolean ta, String b,
                                     boolean tb) {
        return multiply(slice(w.get("blocks." + layer + ".attn." + a), head, ta),
                slice(w.get("blocks." + layer + ".attn." + b), head, tb));
    }

    private static double[][] slice(FloatTensor t, int head, boolean transpose) {
        int r = t.dim(1);
        int c = t.dim(2);
        double[][] m = new double[transpose ? c : r][transpose ? r : c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                double v = t.data()[(head * r + i) * c + j];
                if (transpose) {
                    m[j][i] = v;
                } else {
                    m[i][j] = v;
                }
            }
        }
        return m;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        double[][] out = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int k = 0; k < b.length; k++) {
                for (int j = 0; j < b[0].length; j++) {
                    out[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return out;
    }

    private static double[][] transpose(double[][] a) {
        double[][] out = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                out[j][i] = a[i][j];
            }
        }
        return out;
    }

    private static double norm(double[][] a) {
        double s = 0;
        for (double[] row : a) {
            for (double v : row) {
                s += v * v;
            }
        }
        return Math.sqrt(s);
    }
}
