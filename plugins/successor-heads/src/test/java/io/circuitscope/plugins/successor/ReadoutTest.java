package io.circuitscope.plugins.successor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.circuitscope.spi.FactoredCircuit;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.Tensor;
import io.circuitscope.spi.WeightView;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The detector's layer norms, matrix product and ranking, against values worked out by hand. */
class ReadoutTest {
    private static final double[] X = {1, 2, 3, 6};
    private static final double SCALE = Math.sqrt(3.5 + 1e-5);

    private static Tensor tensor(int[] shape, float... data) {
        return new Tensor(shape, data);
    }

    private static SuccessorHeadDetector.Readout readout(String normalization) {
        Map<String, Tensor> p = Map.of(
                "unembed.W_U", tensor(new int[] {4, 3}, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0),
                "ln_final.w", tensor(new int[] {4}, 2, 1, 1, 1),
                "blocks.0.ln1.w", tensor(new int[] {4}, 1, 2, 1, 0.5f),
                "blocks.0.ln1.b", tensor(new int[] {4}, 0, 1, 0, 0));
        WeightView weights = new WeightView() {
            @Override
            public Tensor parameter(String name) {
                return p.get(name);
            }

            @Override
            public FactoredCircuit ov(int layer, int head) {
                throw new UnsupportedOperationException();
            }

            @Override
            public FactoredCircuit qk(int layer, int head) {
                throw new UnsupportedOperationException();
            }
        };
        return new SuccessorHeadDetector.Readout(weights, new ModelShape(1, 1, 4, 4, 3, 8, 0, true, normalization));
    }

    @Test
    void layerNormCentresScalesThenAppliesWeightAndBias() {
        SuccessorHeadDetector.Readout r = readout("LN");
        double[] w = r.optional("blocks.0.ln1.w");
        double[] b = r.optional("blocks.0.ln1.b");
        assertArrayEquals(new double[] {-2 / SCALE, -1 / SCALE * 2 + 1, 0, 3 / SCALE * 0.5}, r.norm(X, w, b), 1e-12);
        assertArrayEquals(new double[] {-2 / SCALE, -1 / SCALE, 0, 3 / SCALE}, readout("LNPre").norm(X, null, null),
                1e-12);
        assertArrayEquals(X, readout("none").norm(X, null, null), 0);
        assertEquals(null, readout("LNPre").optional("blocks.0.ln1.w"), "LNPre has no weights to read");
    }

    @Test
    void theFinalNormCentresAndWeightsButLeavesNoNormAlone() {
        assertArrayEquals(new double[] {-4, -1, 0, 3}, readout("LN").finalNorm(X), 1e-12);
        assertArrayEquals(new double[] {-2, -1, 0, 3}, readout("LNPre").finalNorm(X), 1e-12);
        assertArrayEquals(X, readout("none").finalNorm(X), 0);
    }

    @Test
    void argmaxRanksOnlyTheCandidatesAndKeepsTheFirstOfATie() {
        SuccessorHeadDetector.Readout r = readout("none");
        double[] residual = {1, 2, 0, 0};
        // W_U rows: [1,0,1], [0,1,1], [0,0,0], [0,0,0]; logits: t0 = 1, t1 = 2, t2 = 3.
        assertEquals(2, r.argmax(residual, new int[] {0, 1, 2}));
        assertEquals(1, r.argmax(residual, new int[] {0, 1}));
        assertEquals(0, r.argmax(new double[] {1, 1, 0, 0}, new int[] {0, 1}), "t0 and t1 tie at 1");
    }

    @Test
    void timesIsARowVectorTimesAMatrix() {
        Tensor m = tensor(new int[] {3, 2}, 1, 2, 3, 4, 5, 6);
        assertArrayEquals(new double[] {1 * 1 + 0 * 3 - 2 * 5, 1 * 2 + 0 * 4 - 2 * 6},
                SuccessorHeadDetector.times(new double[] {1, 0, -2}, m), 1e-12);
    }
}
