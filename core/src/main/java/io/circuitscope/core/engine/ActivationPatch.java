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
            boolean[] chosen = new boolean[(int) activation.getShape().get(headAxis)];
            for (int h : heads) {
                chosen[h] = true;
            }
            return select(activation, source, chosen, headAxis, false);
        };
    }

    /**
     * A patch whose heads differ by batch row: row b takes {@code source} at the heads where {@code chosen[b][h]},
     * so that K hypotheses about which heads to patch run as one batch of K x n prompts.
     */
    static ActivationPatch replaceHeadsPerRow(NDArray source, int headAxis, boolean[][] chosen) {
        boolean[] flat = new boolean[chosen.length * chosen[0].length];
        for (int b = 0; b < chosen.length; b++) {
            if (chosen[b].length != chosen[0].length) {
                throw new IllegalArgumentException("every row must name the same number of heads");
            }
            System.arraycopy(chosen[b], 0, flat, b * chosen[0].length, chosen[0].length);
        }
        return activation -> {
            if (activation.getShape().get(0) != chosen.length) {
                throw new IllegalArgumentException("the patch has " + chosen.length + " rows, the batch "
                        + activation.getShape().get(0));
            }
            return select(activation, source, flat, headAxis, true);
        };
    }

    /**
     * {@code source} where the mask is set and {@code activation} elsewhere, the mask laid along the head axis (and
     * the batch axis, when {@code perRow}). Selection, not arithmetic: a - (a - s) * m is NaN wherever a or s is
     * infinite (masked attention scores), while where() carries the source's values bit for bit. The result is moved
     * into the activation's manager (the pass's scope), since the engine may create it in source's manager.
     */
    private static NDArray select(NDArray activation, NDArray source, boolean[] mask, int headAxis, boolean perRow) {
        long[] maskShape = new long[activation.getShape().dimension()];
        java.util.Arrays.fill(maskShape, 1);
        maskShape[headAxis] = activation.getShape().get(headAxis);
        if (perRow) {
            maskShape[0] = activation.getShape().get(0);
        }
        NDArray m = activation.getManager().create(mask).reshape(maskShape).broadcast(activation.getShape());
        NDArray selected = NDArrays.where(m, source, activation);
        selected.attach(activation.getManager());
        return selected;
    }
}
