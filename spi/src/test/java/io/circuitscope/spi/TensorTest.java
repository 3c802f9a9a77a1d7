package io.circuitscope.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void indexesRowMajor() {
        Tensor t = new Tensor(new int[] {2, 3, 4}, new float[24]);
        assertEquals(0, t.index(0, 0, 0));
        assertEquals(4, t.index(0, 1, 0));
        assertEquals(12 + 8 + 3, t.index(1, 2, 3));
        t.set(5f, 1, 2, 3);
        assertEquals(5f, t.data()[23]);
        assertEquals(5f, t.get(1, 2, 3));
        assertEquals(3, t.rank());
        assertEquals(3, t.dim(1));
        assertEquals(24, Tensor.zeros(2, 3, 4).data().length);
    }

    @Test
    void refusesWrongSizesAndIndices() {
        assertEquals("shape [2, 3] holds 6 values, data has 5",
                assertThrows(IllegalArgumentException.class, () -> new Tensor(new int[] {2, 3}, new float[5]))
                        .getMessage());
        Tensor t = Tensor.zeros(2, 3);
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(0, -1));
        assertThrows(IllegalArgumentException.class, () -> t.get(0));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new int[] {-1}, new float[0]));
        // Two negative dimensions multiply to a size that fits; the check still refuses them.
        assertEquals("negative dimension in [-1, -1]", assertThrows(IllegalArgumentException.class,
                () -> new Tensor(new int[] {-1, -1}, new float[1])).getMessage());
        // Indices that would land inside the data when flattened are still refused.
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(1, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(0, 3));
        assertEquals(0, new Tensor(new int[] {0, 3}, new float[0]).data().length);
        assertEquals("Tensor[2, 3]", t.toString());
        assertEquals(java.util.List.of(2, 3), java.util.Arrays.stream(t.shape()).boxed().toList());
    }
}
