package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/** Replaces the value at one hook point during a forward pass; the result must keep the activation's shape. */
@FunctionalInterface
public interface ActivationPatch {
    /**
     * Returns the value the forward pass continues with, given the value it computed. It must not modify
     * {@code activation} in place: the same array may be a cached value or a broadcast view.
     */
    NDArray apply(NDArray activation);

    /** A patch that substitutes a fixed value, for example the same hook's activation cached from another run. */
    static ActivationPatch replaceWith(NDArray value) {
        return activation -> value;
    }

    /**
     * A patch that substitutes {@code source} only for the given heads, along the head axis of a per-head hook
     * ({@code hook_q/k/v/z/result/q_input/...} have heads on axis 2, {@code hook_pattern/attn_scores} on axis 1).
     */
    static ActivationPatch replaceHeads(NDArray source, int headAxis, int... heads) {
        return activation -> {
            long nHeads = activation.getShape().get(headAxis);
            boolean[] chosen = new boolean[(int) nHeads];
            for (int h : heads) {
                chosen[h] = true;
            }
            long[] maskShape = new long[activation.getShape().dimension()];
            java.util.Arrays.fill(maskShape, 1);
            maskShape[headAxis] = nHeads;
            // Selection, not arithmetic: a - (a - s) * m is NaN wherever a or s is infinite (masked attention
            // scores), while where() carries the source's values bit for bit. The result is moved into the
            // activation's manager (the pass's scope), since the engine may create it in source's manager.
            NDArray mask = activation.getManager().create(chosen).reshape(maskShape).broadcast(activation.getShape());
            NDArray selected = NDArrays.where(mask, source, activation);
            selected.attach(activation.getManager());
            return selected;
        };
    }
}
