package io.circuitscope.core.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A model's config and its complete set of float32 parameters under TransformerLens names, checked against each other. */
public final class ModelWeights implements ParameterSource {
    private final ModelConfig config;
    private final Map<String, FloatTensor> tensors;

    /**
     * Wraps the tensors after checking that every parameter the config needs is present with the right shape.
     *
     * @throws IllegalArgumentException naming the first missing or misshaped parameter
     */
    public ModelWeights(ModelConfig config, Map<String, FloatTensor> tensors) {
        Map<String, FloatTensor> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : ParameterLayout.of(config).entrySet()) {
            FloatTensor t = tensors.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("missing parameter " + e.getKey()
                        + " (expected shape " + Arrays.toString(e.getValue()) + ")");
            }
            if (!t.hasShape(e.getValue())) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " has shape "
                        + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(e.getValue()));
            }
            ordered.put(e.getKey(), t);
        }
        this.config = config;
        this.tensors = Collections.unmodifiableMap(ordered);
    }

    /** Every parameter {@code source} streams, held on the heap; a tied parameter becomes its own transposed copy. */
    public static ModelWeights collect(ParameterSource source) {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        source.streamTo(new ParameterSink() {
            @Override
            public void accept(String name, FloatTensor value) {
                tensors.put(name, value);
            }

            @Override
            public void acceptTranspose(String name, String of) {
                FloatTensor base = tensors.get(of);
                if (base == null) {
                    throw new IllegalStateException(name + " is tied to " + of + ", which has not been streamed yet");
                }
                tensors.put(name, base.transpose2d());
            }
        });
        return new ModelWeights(source.config(), tensors);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public void streamTo(ParameterSink sink) {
        tensors.forEach(sink::accept);
    }

    /** Parameters in TransformerLens state-dict order. */
    public Map<String, FloatTensor> tensors() {
        return tensors;
    }

    public FloatTensor get(String name) {
        FloatTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return t;
    }

    /** Total number of parameter values. */
    public long parameterCount() {
        return tensors.values().stream().mapToLong(FloatTensor::size).sum();
    }
}
