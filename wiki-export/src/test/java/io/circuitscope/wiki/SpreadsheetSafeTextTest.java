package io.circuitscope.wiki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SpreadsheetSafeTextTest {
    @Test
    void formulaStartsGetAnApostropheAndOtherTextIsKept() {
        for (String f : new String[] {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"}) {
            assertEquals("'" + f, SpreadsheetSafeText.of(f));
        }
        for (String t : new String[] {"", "Mary", " =x", "a=b", "<script>"}) {
            assertEquals(t, SpreadsheetSafeText.of(t));
        }
    }
}
