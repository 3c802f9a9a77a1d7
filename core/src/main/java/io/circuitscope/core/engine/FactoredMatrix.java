package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A matrix kept as the product {@code left @ right} of an [m, k] and a [k, n] factor, so that circuits such as a
 * head's full OV circuit W_E W_V W_O W_U, which would be d_vocab x d_vocab, are never materialised: rows, single
 * entries and the diagonal are computed from the factors.
 */
public final class FactoredMatrix {
    private final NDArray left;
    private final NDArray right;

    /**
     * @param left [m, k]
     * @param right [k, n]
     * @throws IllegalArgumentException if the inner dimensions differ or either factor is not a matrix
     */
    public FactoredMatrix(NDArray left, NDArray right) {
        Shape l = left.getShape();
        Shape r = right.getShape();
        if (l.dimension() != 2 || r.dimension() != 2 || l.get(1) != r.get(0)) {
            throw new IllegalArgumentException("cannot factor a matrix as " + l + " @ " + r);
        }
        this.left = left;
        this.right = right;
    }

    /** The left factor, [m, k]. */
    public NDArray left() {
        return left;
    }

    /** The right factor, [k, n]. */
    public NDArray right() {
        return right;
    }

    /** The product's rows, [m] of them. */
    public long rows() {
        return left.getShape().get(0);
    }

    /** The product's columns. */
    public long columns() {
        return right.getShape().get(1);
    }

    /** Rows {@code indices} of the product, [indices.length, n], owned by the left factor's manager. */
    public NDArray rows(long... indices) {
        NDArray picked = left.getManager().create(indices);
        return left.get(picked).matMul(right);
    }

    /** Entry (i, j) of the product. */
    public float get(long i, long j) {
        return left.get(i).matMul(right.get(":, " + j)).getFloat();
    }

    /** The product's diagonal, [min(m, n)]: sum over k of left[i, k] * right[k, i], without forming the product. */
    public NDArray diagonal() {
        long n = Math.min(rows(), columns());
        return left.get("0:" + n).mul(right.get(":, 0:" + n).transpose()).sum(new int[] {1});
    }

    /** The whole product, [m, n]; for small matrices only, such as a head's d_model x d_model circuit. */
    public NDArray materialise() {
        return left.matMul(right);
    }
}
