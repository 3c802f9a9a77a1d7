package io.circuitscope.core.analysis;

import ai.djl.ndarray.NDManager;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.spi.FactoredCircuit;
import io.circuitscope.spi.Tensor;
import io.circuitscope.spi.WeightView;
import java.util.HashMap;
import java.util.Map;

/** Heap copies of an engine model's parameters, each fetched once, with per-head OV and QK factors. */
final class EngineWeightView implements WeightView {
    private final HookedTransformer engine;
    private final Map<String, Tensor> fetched = new HashMap<>();

    EngineWeightView(HookedTransformer engine) {
        this.engine = engine;
    }

    @Override
    public Tensor parameter(String name) {
        return fetched.computeIfAbsent(name, n -> {
            try (NDManager out = engine.manager().newSubManager()) {
                return EngineDetectionContext.toTensor(engine.parameter(out, n));
            }
        });
    }

    @Override
    public FactoredCircuit ov(int layer, int head) {
        return new FactoredCircuit(slice(layer, "W_V", head, false), slice(layer, "W_O", head, false));
    }

    @Override
    public FactoredCircuit qk(int layer, int head) {
        return new FactoredCircuit(slice(layer, "W_Q", head, false), slice(layer, "W_K", head, true));
    }

    /** One head's [a, b] matrix from a [n_heads, a, b] parameter, transposed to [b, a] on request. */
    private Tensor slice(int layer, String name, int head, boolean transpose) {
        Tensor all = parameter("blocks." + layer + ".attn." + name);
        if (head < 0 || head >= all.dim(0)) {
            throw new IllegalArgumentException("head " + head + " does not exist (the model has " + all.dim(0)
                    + " heads per layer)");
        }
        int a = all.dim(1);
        int b = all.dim(2);
        float[] out = new float[a * b];
        int base = head * a * b;
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                out[transpose ? j * a + i : i * b + j] = all.data()[base + i * b + j];
            }
        }
        return transpose ? new Tensor(new int[] {b, a}, out) : new Tensor(new int[] {a, b}, out);
    }
}
