package io.circuitscope.wiki.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DecimalTest {
    @Test
    void fixedPlacesADashForNanAndNoNegativeZero() {
        assertEquals("0.125", Decimal.of(0.125, 3));
        assertEquals("-0.50", Decimal.of(-0.5, 2));
        assertEquals("0.00", Decimal.of(-0.001, 2));
        assertEquals("0", Decimal.of(-0.2, 0));
        assertEquals("\u2013", Decimal.of(Double.NaN, 2));
        assertEquals("1e308", Decimal.sortKey(Double.NaN));
        assertEquals("0.500000000", Decimal.sortKey(0.5));
    }
}
