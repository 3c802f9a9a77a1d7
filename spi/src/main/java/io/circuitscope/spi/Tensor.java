package io.circuitscope.spi;

import java.util.Arrays;

/** A dense row-major float tensor on the Java heap: the plain view a detector reads instead of engine arrays. */
public final class Tensor {
    private final int[] shape;
    private final int[] strides;
    private final float[] data;

    /** Wraps {@code data} (not copied) with the given shape; fails when their sizes differ. */
    public Tensor(int[] shape, float[] data) {
        this.shape = shape.clone();
        this.strides = new int[shape.length];
        long size = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            strides[i] = (int) Math.min(Integer.MAX_VALUE, size);
            size *= shape[i];
        }
        if (size != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size
                    + " values, data has " + data.length);
        }
        this.data = data;
    }

    /** A tensor of zeros. */
    public static Tensor zeros(int... shape) {
        long size = 1;
        for (int d : shape) {
            size *= d;
        }
        return new Tensor(shape, new float[Math.toIntExact(size)]);
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int rank() {
        return shape.length;
    }

    /** The backing array in row-major order (shared, not copied). */
    public float[] data() {
        return data;
    }

    /** The flat index of an element. */
    public int index(int... at) {
        if (at.length != shape.length) {
            throw new IllegalArgumentException("tensor of rank " + shape.length + " indexed with " + at.length);
        }
        int i = 0;
        for (int a = 0; a < at.length; a++) {
            if (at[a] < 0 || at[a] >= shape[a]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(at) + " outside "
                        + Arrays.toString(shape));
            }
            i += at[a] * strides[a];
        }
        return i;
    }

    public float get(int... at) {
        return data[index(at)];
    }

    public void set(float value, int... at) {
        data[index(at)] = value;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
