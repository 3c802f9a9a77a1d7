package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.RandomWeights;
import org.junit.jupiter.api.Test;

/** Weight-based circuits against products computed by hand in doubles from the heap weights. */
class HeadCircuitsTest {
    private static final ModelConfig CFG = new ModelConfig(2, 16, 4, 4, null, 23, 8, null, "LN", true, "standard",
            1e-5, null, "circuits");
    private static final ModelWeights W = RandomWeights.dense(CFG, 31, 0.4);

    @Test
    void fullOvIsEmbedValueOutputUnembed() {
        double[][] expected = product(W.get("embed.W_E"), head("blocks.1.attn.W_V", 2), head("blocks.1.attn.W_O", 2),
                W.get("unembed.W_U"));
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            FactoredMatrix ov = new HeadCircuits(model, out).fullOv(1, 2);
            assertEquals(23, ov.rows());
            assertEquals(23, ov.columns());
            assertEquals(new ai.djl.ndarray.types.Shape(23, 4), ov.left().getShape(), "never d_vocab x d_vocab");
            assertMatrix(expected, ov.materialise());
            NDArray rows = ov.rows(3, 17);
            assertRow(expected[3], rows.get(0));
            assertRow(expected[17], rows.get(1));
            float[] diagonal = ov.diagonal().toFloatArray();
            for (int i = 0; i < 23; i++) {
                assertEquals(expected[i][i], diagonal[i], 1e-4, "diagonal " + i);
            }
            assertEquals(expected[5][11], ov.get(5, 11), 1e-4);
        }
    }

    @Test
    void qkCircuitsAreQueryTimesKeyTransposed() {
        FloatTensor wQ = head("blocks.0.attn.W_Q", 1);
        FloatTensor wK = head("blocks.0.attn.W_K", 1);
        double[][] expected = product(wQ, transpose(wK));
        double[][] fullExpected = product(W.get("embed.W_E"), wQ, transpose(wK), transpose(W.get("embed.W_E")));
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            HeadCircuits circuits = new HeadCircuits(model, out);
            assertMatrix(expected, circuits.qk(0, 1).materialise());
            assertMatrix(fullExpected, circuits.fullQk(0, 1).materialise());
            assertMatrix(product(head("blocks.0.attn.W_V", 3), head("blocks.0.attn.W_O", 3)),
                    circuits.ov(0, 3).materialise());
        }
    }

    @Test
    void parametersAreCopiesAndUnknownOnesAreNamed() {
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            float[] before = model.logitsOnHeap(new int[][] {{1, 2, 3}}).data();
            model.parameter(out, "embed.W_E").muli(0f);
            assertArrayEquals(before, model.logitsOnHeap(new int[][] {{1, 2, 3}}).data());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.parameter(out, "embed.W_X"));
            assertTrue(e.getMessage().startsWith("no parameter embed.W_X; parameters: [embed.W_E, pos_embed.W_pos"));
            assertThrows(IllegalArgumentException.class, () -> new HeadCircuits(model, out).ov(0, 4));
        }
    }

    @Test
    void factorsMustShareTheirInnerDimension() {
        try (NDManager m = EngineBootstrap.pytorch().newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new FactoredMatrix(m.zeros(new ai.djl.ndarray.types.Shape(3, 2)),
                            m.zeros(new ai.djl.ndarray.types.Shape(3, 2))));
            assertEquals("cannot factor a matrix as (3, 2) @ (3, 2)", e.getMessage());
        }
    }

    private static FloatTensor head(String name, int head) {
        FloatTensor t = W.get(name);
        int rows = t.dim(1);
        int cols = t.dim(2);
        float[] out = new float[rows * cols];
        System.arraycopy(t.data(), head * rows * cols, out, 0, rows * cols);
        return new FloatTensor(out, rows, cols);
    }

    private static FloatTensor transpose(FloatTensor t) {
        return t.transpose2d();
    }

    private static double[][] product(FloatTensor... factors) {
        double[][] acc = toDouble(factors[0]);
        for (int f = 1; f < factors.length; f++) {
            double[][] b = toDouble(factors[f]);
            double[][] next = new double[acc.length][b[0].length];
            for (int i = 0; i < acc.length; i++) {
                for (int k = 0; k < b.length; k++) {
                    for (int j = 0; j < b[0].length; j++) {
                        next[i][j] += acc[i][k] * b[k][j];
                    }
                }
            }
            acc = next;
        }
        return acc;
    }

    private static double[][] toDouble(FloatTensor t) {
        double[][] out = new double[t.dim(0)][t.dim(1)];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < out[0].length; j++) {
                out[i][j] = t.data()[i * out[0].length + j];
            }
        }
        return out;
    }

    private static void assertMatrix(double[][] expected, NDArray actual) {
        assertEquals(expected.length, actual.getShape().get(0));
        for (int i = 0; i < expected.length; i++) {
            assertRow(expected[i], actual.get(i));
        }
    }

    private static void assertRow(double[] expected, NDArray actual) {
        float[] a = actual.toFloatArray();
        assertEquals(expected.length, a.length);
        for (int j = 0; j < a.length; j++) {
            assertEquals(expected[j], a[j], 1e-4, "entry " + j);
        }
    }

    @Test
    void factorsAndHeadBoundaries() {
        try (HookedTransformer model = HookedTransformer.load(W); NDManager out = model.manager().newSubManager()) {
            HeadCircuits circuits = new HeadCircuits(model, out);
            FactoredMatrix ov = circuits.ov(1, 3);
            assertEquals(new ai.djl.ndarray.types.Shape(4, 16), ov.right().getShape());
            assertThrows(IllegalArgumentException.class, () -> circuits.qk(1, -1));
            NDArray copy = model.parameter(out, "embed.W_E");
            out.close();
            assertTrue(copy.isReleased(), "a parameter copy belongs to the caller's manager");
        }
    }
}
