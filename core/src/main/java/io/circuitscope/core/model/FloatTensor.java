package io.circuitscope.core.model;

import java.util.Arrays;
import java.util.Objects;

/** A dense row-major float32 tensor held on the Java heap, independent of any engine. */
public final class FloatTensor {
    private final float[] data;
    private final int[] shape;

    public FloatTensor(float[] data, int... shape) {
        long size = sizeOf(shape);
        if (size != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + size + " values, got " + data.length);
        }
        this.data = data;
        this.shape = shape.clone();
    }

    /** A zero-filled tensor of the given shape. */
    public static FloatTensor zeros(int... shape) {
        return new FloatTensor(new float[Math.toIntExact(sizeOf(shape))], shape);
    }

    /** The number of elements a tensor of this shape holds. */
    public static long sizeOf(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    /** The backing array; callers must not resize it, and writes are visible to every holder. */
    public float[] data() {
        return data;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public long size() {
        return data.length;
    }

    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /**
     * Writes {@code value} (rounded to float) at a full multi-index, e.g. {@code set(1, head, row, col)}; hand-built
     * models set their weights entry by entry.
     *
     * @throws IndexOutOfBoundsException if the index has the wrong rank or lies outside the shape
     */
    public void set(double value, int... index) {
        if (index.length != shape.length) {
            throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " does not address a tensor of shape "
                    + Arrays.toString(shape));
        }
        int flat = 0;
        for (int a = 0; a < index.length; a++) {
            flat = flat * shape[a] + Objects.checkIndex(index[a], shape[a]);
        }
        data[flat] = (float) value;
    }

    /** The same values viewed with a new shape of equal size. */
    public FloatTensor reshape(int... newShape) {
        return new FloatTensor(data, newShape);
    }

    /** The transpose of a rank-2 tensor. */
    public FloatTensor transpose2d() {
        if (shape.length != 2) {
            throw new IllegalStateException("transpose2d needs rank 2, got " + Arrays.toString(shape));
        }
        int rows = shape[0];
        int cols = shape[1];
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = data[r * cols + c];
            }
        }
        return new FloatTensor(out, cols, rows);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
