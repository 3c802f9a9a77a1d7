package io.circuitscope.core.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.circuitscope.core.engine.HookedTransformer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Q, K and V composition scores between every head and every head of a later layer (Elhage et al. 2021, as
 * TransformerLens computes them): ||OV_A · M_B||_F / (||OV_A||_F ||M_B||_F) with M_B = QK_B for Q, QK_B^T for K and
 * OV_B for V, on the raw weights (layer norms not folded in). Each mode comes with the mean score of random Gaussian
 * matrices of the same shapes, the baseline a score should clearly exceed.
 */
public final class CompositionScores {
    /** Q, K or V composition. */
    public enum Mode { Q, K, V }

    /** One pair's score: the earlier head writes, the later head reads. */
    public record Pair(int fromLayer, int fromHead, int toLayer, int toHead, double score) {
    }

    static final int BASELINE_SAMPLES = 16;

    private final int layers;
    private final int heads;
    /** [mode][fromLayer][fromHead][toLayer][toHead]; NaN unless fromLayer < toLayer. */
    private final double[][][][][] scores;
    private final double[] baseline;

    private CompositionScores(int layers, int heads, double[][][][][] scores, double[] baseline) {
        this.layers = layers;
        this.heads = heads;
        this.scores = scores;
        this.baseline = baseline;
    }

    /** Computes every mode for a model, with a baseline from {@value #BASELINE_SAMPLES} seeded random draws. */
    public static CompositionScores of(HookedTransformer model, long seed) {
        int n = model.config().nLayers();
        int h = model.config().nHeads();
        double[][][][][] s = new double[Mode.values().length][n][h][n][h];
        double[] base = new double[Mode.values().length];
        try (NDManager m = model.manager().newSubManager()) {
            NDArray[] wq = new NDArray[n];
            NDArray[] wk = new NDArray[n];
            NDArray[] wv = new NDArray[n];
            NDArray[] wo = new NDArray[n];
            for (int l = 0; l < n; l++) {
                wq[l] = model.parameter(m, "blocks." + l + ".attn.W_Q");
                wk[l] = model.parameter(m, "blocks." + l + ".attn.W_K");
                wv[l] = model.parameter(m, "blocks." + l + ".attn.W_V");
                wo[l] = model.parameter(m, "blocks." + l + ".attn.W_O");
            }
            for (Mode mode : Mode.values()) {
                for (double[][][] row : s[mode.ordinal()]) {
                    for (double[][] r : row) {
                        for (double[] x : r) {
                            java.util.Arrays.fill(x, Double.NaN);
                        }
                    }
                }
                for (int a = 0; a < n; a++) {
                    for (int b = a + 1; b < n; b++) {
                        double[][] block;
                        // Each block's intermediates live in their own scope, so memory stays one block deep.
                        try (NDManager scope = m.newSubManager()) {
                            block = block(into(scope, wv[a]), into(scope, wo[a]),
                                    left(mode, into(scope, wq[b]), into(scope, wk[b]), into(scope, wv[b])),
                                    right(mode, into(scope, wq[b]), into(scope, wk[b]), into(scope, wo[b])));
                        }
                        for (int i = 0; i < h; i++) {
                            for (int j = 0; j < h; j++) {
                                s[mode.ordinal()][a][i][b][j] = block[i][j];
                            }
                        }
                    }
                }
                base[mode.ordinal()] = baseline(m, mode, model.config().dModel(), model.config().dHead(), seed);
            }
        }
        return new CompositionScores(n, h, s, base);
    }

    /** The later head's matrix as left [heads, d_model, d_head] times right [heads, d_head, d_model]. */
    private static NDArray left(Mode mode, NDArray wq, NDArray wk, NDArray wv) {
        return switch (mode) {
            case Q -> wq;
            case K -> wk;
            case V -> wv;
        };
    }

    private static NDArray right(Mode mode, NDArray wq, NDArray wk, NDArray wo) {
        return switch (mode) {
            case Q -> wk.transpose(0, 2, 1);
            case K -> wq.transpose(0, 2, 1);
            case V -> wo;
        };
    }

    /**
     * Scores for every pair of a writer (OV = v o) and a reader (l r), from d_head-sized Gram matrices:
     * ||v o l r||^2 = tr(v^T v · (o l) · r r^T · (o l)^T), so nothing d_model x d_model is ever formed.
     */
    /** A copy of {@code x} owned by {@code scope}, so that every result computed from it lands there too. */
    private static NDArray into(NDManager scope, NDArray x) {
        NDArray copy = x.duplicate();
        copy.attach(scope);
        return copy;
    }

    private static double[][] block(NDArray v, NDArray o, NDArray l, NDArray r) {
        long heads = v.getShape().get(0);
        long readers = l.getShape().get(0);
        NDArray gv = v.transpose(0, 2, 1).matMul(v);                     // [A, dh, dh]
        NDArray go = o.matMul(o.transpose(0, 2, 1));                     // [A, dh, dh]
        NDArray gl = l.transpose(0, 2, 1).matMul(l);                     // [B, dh, dh]
        NDArray gr = r.matMul(r.transpose(0, 2, 1));                     // [B, dh, dh]
        NDArray normA = gv.mul(go).sum(new int[] {1, 2}).maximum(0f).sqrt();   // tr(G1 G2) for symmetric G2
        NDArray normB = gl.mul(gr).sum(new int[] {1, 2}).maximum(0f).sqrt();
        NDArray cross = o.expandDims(1).matMul(l.expandDims(0));        // [A, B, dh, dh] = o_a l_b
        NDArray t = gv.expandDims(1).matMul(cross).matMul(gr.expandDims(0));
        // Squared norms can come out a hair below zero in float32; clamp before the square root.
        NDArray normAb = t.mul(cross).sum(new int[] {2, 3}).maximum(0f).sqrt();     // [A, B]
        float[] flat = normAb.toFloatArray();
        float[] a = normA.toFloatArray();
        float[] b = normB.toFloatArray();
        double[][] out = new double[(int) heads][(int) readers];
        for (int i = 0; i < heads; i++) {
            for (int j = 0; j < readers; j++) {
                double denominator = (double) a[i] * b[j];
                // A head with zero weights composes with nothing: score 0, never NaN.
                out[i][j] = denominator > 0 ? flat[(int) (i * readers + j)] / denominator : 0;
            }
        }
        return out;
    }

    private static double baseline(NDManager m, Mode mode, int dModel, int dHead, long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ mode.ordinal());
        double sum = 0;
        for (int i = 0; i < BASELINE_SAMPLES; i++) {
            try (NDManager scope = m.newSubManager()) {
                NDArray v = gaussian(scope, rng, dModel, dHead);
                NDArray o = gaussian(scope, rng, dHead, dModel);
                NDArray l = gaussian(scope, rng, dModel, dHead);
                NDArray r = gaussian(scope, rng, dHead, dModel);
                sum += block(v, o, l, r)[0][0];
            }
        }
        return sum / BASELINE_SAMPLES;
    }

    private static NDArray gaussian(NDManager m, SplittableRandom rng, int rows, int cols) {
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            // Box-Muller from the seeded source, so the baseline is the same on every machine.
            double u = 1 - rng.nextDouble();
            x[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble()));
        }
        return m.create(x, new Shape(1, rows, cols));
    }

    /** The score of writer (fromLayer, fromHead) composing into reader (toLayer, toHead); NaN unless earlier. */
    public double score(Mode mode, int fromLayer, int fromHead, int toLayer, int toHead) {
        return scores[mode.ordinal()][fromLayer][fromHead][toLayer][toHead];
    }

    /** The mean score of random matrices of the same shapes. */
    public double baseline(Mode mode) {
        return baseline[mode.ordinal()];
    }

    /**
     * A head's strongest partners in one mode, both the earlier heads it reads from and the later heads that read it,
     * strongest first (ties in head order).
     */
    public List<Pair> strongestPartners(Mode mode, int layer, int head, int count) {
        List<Pair> all = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                if (l < layer) {
                    all.add(new Pair(l, h, layer, head, score(mode, l, h, layer, head)));
                } else if (l > layer) {
                    all.add(new Pair(layer, head, l, h, score(mode, layer, head, l, h)));
                }
            }
        }
        all.sort(Comparator.comparingDouble(Pair::score).reversed());
        return List.copyOf(all.subList(0, Math.min(count, all.size())));
    }
}
