package io.circuitscope.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FloatTensorTest {

    private static FloatTensor twoByThree() {
        return new FloatTensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    }

    @Test
    void setWritesOneEntryByItsMultiIndex() {
        FloatTensor t = FloatTensor.zeros(2, 3, 4);
        t.set(2.5, 1, 2, 3);
        t.set(-1, 0, 1, 0);
        assertEquals(2.5f, t.data()[23]);
        assertEquals(-1f, t.data()[4]);
        assertEquals(2, java.util.stream.IntStream.range(0, 24).filter(i -> t.data()[i] != 0).count());
        assertThrows(IndexOutOfBoundsException.class, () -> t.set(1, 2, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.set(1, 0, 3, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.set(1, 0, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.set(1, 0, 0));
    }

    @Test
    void describesItsShape() {
        FloatTensor t = twoByThree();
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertEquals(2, t.rank());
        assertEquals(2, t.dim(0));
        assertEquals(3, t.dim(1));
        assertEquals(6, t.size());
        assertTrue(t.hasShape(2, 3));
        assertFalse(t.hasShape(3, 2));
        assertFalse(t.hasShape(6));
        assertEquals("FloatTensor[2, 3]", t.toString());
    }

    @Test
    void dataIsTheBackingArrayAndShapeIsACopy() {
        float[] data = {1, 2, 3, 4, 5, 6};
        int[] shape = {2, 3};
        FloatTensor t = new FloatTensor(data, shape);
        assertSame(data, t.data());
        shape[0] = 99;
        t.shape()[1] = 99;
        assertArrayEquals(new int[] {2, 3}, t.shape());
    }

    @Test
    void valuesThatDoNotFillTheShapeAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FloatTensor(new float[5], 2, 3));
        assertEquals("shape [2, 3] needs 6 values, got 5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FloatTensor(new float[7], 2, 3));
        assertEquals("shape [2, 3] needs 6 values, got 7", e.getMessage());
    }

    @Test
    void sizeOfMultipliesDimensionsAndAllowsZero() {
        assertEquals(24, FloatTensor.sizeOf(2, 3, 4));
        assertEquals(7, FloatTensor.sizeOf(7));
        assertEquals(1, FloatTensor.sizeOf());
        assertEquals(0, FloatTensor.sizeOf(5, 0));
        assertEquals(6_000_000_000L, FloatTensor.sizeOf(60_000, 100_000), "no int overflow");
        // A scalar has one value, and a tensor with a zero dimension none.
        assertEquals(1, new FloatTensor(new float[] {42}).size());
        assertEquals(0, new FloatTensor(new float[0], 3, 0).size());
    }

    @Test
    void negativeDimensionsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FloatTensor.sizeOf(2, -1));
        assertEquals("negative dimension in [2, -1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FloatTensor.zeros(-3));
        assertEquals("negative dimension in [-3]", e.getMessage());
    }

    @Test
    void zerosHasTheShapeAndOnlyZeros() {
        FloatTensor z = FloatTensor.zeros(3, 4);
        assertArrayEquals(new int[] {3, 4}, z.shape());
        assertArrayEquals(new float[12], z.data());
    }

    @Test
    void reshapeSharesTheValues() {
        FloatTensor t = twoByThree();
        FloatTensor r = t.reshape(3, 2);
        assertArrayEquals(new int[] {3, 2}, r.shape());
        assertSame(t.data(), r.data());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.reshape(4, 2));
        assertEquals("shape [4, 2] needs 8 values, got 6", e.getMessage());
    }

    @Test
    void transpose2dSwapsRowsAndColumns() {
        FloatTensor t = twoByThree().transpose2d();
        assertArrayEquals(new int[] {3, 2}, t.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.data());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.transpose2d().data());
    }

    @Test
    void transpose2dNeedsRankTwo() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new FloatTensor(new float[6], 1, 2, 3).transpose2d());
        assertEquals("transpose2d needs rank 2, got [1, 2, 3]", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> new FloatTensor(new float[6], 6).transpose2d());
        assertEquals("transpose2d needs rank 2, got [6]", e.getMessage());
    }
}
