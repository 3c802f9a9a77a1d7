package io.circuitscope.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RandomWeightsTest {

    /** Wide enough (d_model 64, vocab 500) for sample statistics of W_E to be tight. */
    private static final ModelConfig CONFIG =
            new ModelConfig(1, 64, 4, 16, 128, 500, 32, "gelu_new", "LN", false, "standard", 1e-5, null, "r");

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(float[] v) {
        double m = mean(v);
        double s = 0;
        for (float x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }

    private static boolean allEqual(float[] v, float value) {
        for (float x : v) {
            if (x != value) {
                return false;
            }
        }
        return true;
    }

    @Test
    void sameSeedGivesTheSameWeightsAndAnotherSeedOthers() {
        ModelWeights a = RandomWeights.dense(CONFIG, 7, 0.02);
        ModelWeights b = RandomWeights.dense(CONFIG, 7, 0.02);
        ModelWeights c = RandomWeights.dense(CONFIG, 8, 0.02);
        for (String name : a.tensors().keySet()) {
            assertArrayEquals(a.get(name).data(), b.get(name).data(), name);
            assertFalse(Arrays.equals(a.get(name).data(), c.get(name).data()), name);
        }
        assertEquals(CONFIG.parameterCount(), a.parameterCount());
    }

    @Test
    void seededWeightsAreReproducibleValueForValue() {
        // Pinned: the zoo's training starts from these, so the stream must not change between versions or JDKs.
        ModelWeights dense = RandomWeights.dense(CONFIG, 42, 0.5);
        assertArrayEquals(new float[] {0.44112444f, -0.22542493f, 0.094176315f},
                Arrays.copyOf(dense.get("embed.W_E").data(), 3));
        assertArrayEquals(new float[] {0.40834993f, -0.06850932f, 0.7520465f},
                Arrays.copyOf(dense.get("blocks.0.ln1.w").data(), 3));
        assertArrayEquals(new float[] {-0.07119592f, 0.67291474f, 0.37194055f},
                Arrays.copyOf(dense.get("blocks.0.attn.b_Q").data(), 3));
    }

    @Test
    void initialisationHasNormalMatricesZeroBiasesAndUnitLayerNorm() {
        ModelWeights w = RandomWeights.initialisation(CONFIG, 3, 0.02);
        for (Map.Entry<String, FloatTensor> e : w.tensors().entrySet()) {
            String name = e.getKey();
            float[] v = e.getValue().data();
            if (name.endsWith(".w")) {
                assertTrue(allEqual(v, 1f), name);
            } else if (name.substring(name.lastIndexOf('.') + 1).startsWith("b")) {
                assertTrue(allEqual(v, 0f), name);
            } else {
                assertEquals(0.0, mean(v), 0.01, name);
                assertEquals(0.02, std(v), 0.02 * 0.2, name);
            }
        }
        float[] we = w.get("embed.W_E").data(); // 32,000 values
        assertEquals(0.0, mean(we), 0.0005);
        assertEquals(0.02, std(we), 0.0005);
    }

    @Test
    void denseDrawsEveryParameterIncludingBiasesAndLayerNorm() {
        ModelWeights w = RandomWeights.dense(CONFIG, 3, 0.1);
        float[] ln = w.get("blocks.0.ln1.w").data();
        assertEquals(1.0, mean(ln), 0.05);
        assertEquals(0.1, std(ln), 0.03);
        float[] bias = w.get("unembed.b_U").data(); // 500 values
        assertEquals(0.0, mean(bias), 0.02);
        assertEquals(0.1, std(bias), 0.015);
        float[] we = w.get("embed.W_E").data();
        assertEquals(0.0, mean(we), 0.0025);
        assertEquals(0.1, std(we), 0.0025);
        // A matrix value draws from the same stream position in both modes; only biases and LayerNorm differ.
        assertArrayEquals(we, RandomWeights.initialisation(CONFIG, 3, 0.1).get("embed.W_E").data());
    }
}
