package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.circuitscope.core.model.ModelConfig;

/**
 * The rotary position embedding of a config, as Hugging Face's GPT-NeoX and Llama apply it: the first rotary_dim
 * dimensions of each query and key head are rotated in pairs (i, i + rotary_dim / 2) by position × frequency, the
 * rest pass through.
 */
final class RotaryEmbedding {
    private final ModelConfig config;
    private final float[] inverseFrequencies;

    RotaryEmbedding(ModelConfig config) {
        this.config = config;
        this.inverseFrequencies = inverseFrequencies(config);
    }

    /**
     * The frequencies θ^(-2i / rotary_dim), each rounded to float32 at the step transformers rounds it, so that the
     * angles match its float32 tables bit for bit at small positions; Llama 3's by-parts rescaling applied if set.
     */
    static float[] inverseFrequencies(ModelConfig config) {
        int dims = config.rotaryDims();
        float[] inv = new float[dims / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) dims;
            inv[i] = 1.0f / (float) Math.pow(config.rotaryTheta(), exponent);
        }
        return config.ntkByParts() ? rescaledByParts(config, inv) : inv;
    }

    /**
     * Llama 3's rope scaling: wavelengths longer than original_ctx / low_freq_factor are slowed by the factor, those
     * shorter than original_ctx / high_freq_factor are kept, and the band between is interpolated smoothly.
     */
    private static float[] rescaledByParts(ModelConfig c, float[] inv) {
        double factor = c.ntkByPartsFactor();
        double low = c.ntkByPartsLowFreqFactor();
        double high = c.ntkByPartsHighFreqFactor();
        double original = c.ntkOriginalCtxLen();
        double lowFreqWavelength = original / low;
        double highFreqWavelength = original / high;
        float[] out = new float[inv.length];
        for (int i = 0; i < inv.length; i++) {
            double wavelength = 2 * Math.PI / inv[i];
            if (wavelength < highFreqWavelength) {
                out[i] = inv[i];
            } else if (wavelength > lowFreqWavelength) {
                out[i] = (float) (inv[i] / factor);
            } else {
                double smooth = (original / wavelength - low) / (high - low);
                out[i] = (float) ((1 - smooth) * inv[i] / factor + smooth * inv[i]);
            }
        }
        return out;
    }

    /** cos and sin of every position's angles, each [1, positions, 1, rotary_dim] with the halves repeated. */
    NDArray[] tables(NDManager scope, long positions) {
        int dims = config.rotaryDims();
        int half = dims / 2;
        int n = Math.toIntExact(positions);
        float[] cos = new float[n * dims];
        float[] sin = new float[n * dims];
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < half; i++) {
                // A float32 product, as transformers forms position × frequency before taking cos and sin.
                float angle = (float) p * inverseFrequencies[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[p * dims + i] = c;
                cos[p * dims + half + i] = c;
                sin[p * dims + i] = s;
                sin[p * dims + half + i] = s;
            }
        }
        Shape shape = new Shape(1, n, 1, dims);
        return new NDArray[] {scope.create(cos, shape), scope.create(sin, shape)};
    }

    /** x [batch, pos, head, d_head] with its rotary dimensions rotated by the tables from {@link #tables}. */
    NDArray apply(NDArray x, NDArray[] tables) {
        int dims = config.rotaryDims();
        int half = dims / 2;
        long dHead = x.getShape().get(3);
        NDArray rot = dims == dHead ? x : x.get(":, :, :, 0:" + dims);
        NDArray rotatedHalf = rot.get(":, :, :, " + half + ":").neg().concat(rot.get(":, :, :, 0:" + half), -1);
        NDArray out = TensorOps.addToFresh(rot.mul(tables[0]), rotatedHalf.mul(tables[1]));
        return dims == dHead ? out : out.concat(x.get(":, :, :, " + dims + ":"), -1);
    }
}
