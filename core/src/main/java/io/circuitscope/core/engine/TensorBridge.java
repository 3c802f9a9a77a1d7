package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.circuitscope.core.model.FloatTensor;

/** Copies tensors between the Java heap ({@link FloatTensor}) and the engine ({@link NDArray}). */
public final class TensorBridge {
    private TensorBridge() {
    }

    /** An engine copy of a heap tensor, owned by {@code manager}. */
    public static NDArray toEngine(NDManager manager, FloatTensor t) {
        long[] shape = new long[t.rank()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.dim(i);
        }
        return manager.create(t.data(), new Shape(shape));
    }

    /** A heap copy of a float32 engine array. */
    public static FloatTensor toHeap(NDArray a) {
        long[] s = a.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        return new FloatTensor(a.toFloatArray(), shape);
    }
}
