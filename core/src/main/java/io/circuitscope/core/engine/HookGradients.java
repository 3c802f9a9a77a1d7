package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.Set;

/**
 * A metric's value on one forward pass, with its gradient at each requested hook (same shape as the hook's value),
 * the logits, and any activations the pass cached; every array is owned by the caller and free of autograd history.
 */
public final class HookGradients {
    private final double metric;
    private final NDArray logits;
    private final Map<String, NDArray> gradients;
    private final ActivationCache cache;

    HookGradients(double metric, NDArray logits, Map<String, NDArray> gradients, ActivationCache cache) {
        this.metric = metric;
        this.logits = logits;
        this.gradients = Map.copyOf(gradients);
        this.cache = cache;
    }

    /** The metric's value. */
    public double metric() {
        return metric;
    }

    /** The logits [batch, pos, d_vocab]. */
    public NDArray logits() {
        return logits;
    }

    /** The hooks with a gradient. */
    public Set<String> hooks() {
        return gradients.keySet();
    }

    /** d metric / d (value at {@code hookName}). */
    public NDArray gradient(String hookName) {
        NDArray g = gradients.get(hookName);
        if (g == null) {
            throw new IllegalArgumentException("no gradient for " + hookName + "; gradients: " + gradients.keySet());
        }
        return g;
    }

    /** The activations cached during the pass. */
    public ActivationCache cache() {
        return cache;
    }
}
