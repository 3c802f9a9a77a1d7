package io.circuitscope.core.model;

import java.nio.FloatBuffer;

/**
 * Receives a model's parameters one at a time under TransformerLens names, so that a loader never needs to hold
 * the whole model on the heap.
 */
public interface ParameterSink {
    /** Takes parameter {@code name}; the sink may keep {@code value} or copy it and let it go. */
    void accept(String name, FloatTensor value);

    /**
     * Takes parameter {@code name} of {@code shape} whose values {@code fill} writes wherever the sink wants them, so
     * that a tensor stored as-is on disk can go to its destination without a heap copy; by default, onto the heap.
     */
    default void accept(String name, int[] shape, TensorFill fill) {
        float[] values = new float[Math.toIntExact(FloatTensor.sizeOf(shape))];
        fill.writeTo(FloatBuffer.wrap(values));
        accept(name, new FloatTensor(values, shape));
    }

    /**
     * Declares parameter {@code name} to be the transpose of the rank-2 parameter {@code of}, already accepted: a
     * tied unembedding, which a sink may store as a view instead of a second copy.
     */
    void acceptTranspose(String name, String of);
}
