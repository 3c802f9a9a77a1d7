package io.circuitscope.core.engine;

import io.circuitscope.core.model.FloatTensor;
import java.util.Arrays;

/** A dense row-major float64 tensor on the Java heap, the value type of the reference forward pass. */
final class DoubleTensor {
    final double[] data;
    final int[] shape;

    DoubleTensor(double[] data, int... shape) {
        long size = FloatTensor.sizeOf(shape);
        if (size != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + size + " values, got " + data.length);
        }
        this.data = data;
        this.shape = shape.clone();
    }

    /** A zero-filled tensor of the given shape. */
    static DoubleTensor zeros(int... shape) {
        return new DoubleTensor(new double[Math.toIntExact(FloatTensor.sizeOf(shape))], shape);
    }

    /** The float32 tensor widened exactly to float64. */
    static DoubleTensor of(FloatTensor t) {
        float[] src = t.data();
        double[] out = new double[src.length];
        for (int i = 0; i < src.length; i++) {
            out[i] = src[i];
        }
        return new DoubleTensor(out, t.shape());
    }

    int dim(int axis) {
        return shape[axis];
    }

    int size() {
        return data.length;
    }

    boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /** The position in {@link #data} of the element at {@code index}, checking every axis. */
    int offset(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(
                    "index " + Arrays.toString(index) + " has wrong rank for shape " + Arrays.toString(shape));
        }
        int off = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            if (index[axis] < 0 || index[axis] >= shape[axis]) {
                throw new IndexOutOfBoundsException(
                        "index " + Arrays.toString(index) + " out of bounds for shape " + Arrays.toString(shape));
            }
            off = off * shape[axis] + index[axis];
        }
        return off;
    }

    double get(int... index) {
        return data[offset(index)];
    }

    void set(double value, int... index) {
        data[offset(index)] = value;
    }

    /** An independent copy with the same shape and values. */
    DoubleTensor copy() {
        return new DoubleTensor(data.clone(), shape);
    }

    /** The largest element-wise absolute difference from a tensor of the same shape. */
    double maxAbsDiff(DoubleTensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException(
                    "shapes differ: " + Arrays.toString(shape) + " vs " + Arrays.toString(other.shape));
        }
        double max = 0;
        for (int i = 0; i < data.length; i++) {
            max = Math.max(max, Math.abs(data[i] - other.data[i]));
        }
        return max;
    }

    @Override
    public String toString() {
        return "DoubleTensor" + Arrays.toString(shape);
    }
}
