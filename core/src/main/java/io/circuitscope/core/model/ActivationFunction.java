package io.circuitscope.core.model;

import java.util.List;

/** The MLP activation functions circuitscope runs, named as TransformerLens names them. */
public final class ActivationFunction {
    /** Accepted {@code act_fn} values. */
    public static final List<String> KNOWN = List.of("gelu_new", "gelu", "relu", "silu");

    private ActivationFunction() {
    }

    public static boolean isKnown(String name) {
        return name != null && KNOWN.contains(name);
    }
}
