package io.circuitscope.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ActivationFunctionTest {

    @Test
    void knowsTheTransformerLensNames() {
        assertEquals(List.of("gelu_new", "gelu", "relu", "silu"), ActivationFunction.KNOWN);
        for (String name : ActivationFunction.KNOWN) {
            assertTrue(ActivationFunction.isKnown(name), name);
        }
    }

    @Test
    void unknownNamesAndNullAreNotKnown() {
        assertFalse(ActivationFunction.isKnown(null));
        assertFalse(ActivationFunction.isKnown("GELU"));
        assertFalse(ActivationFunction.isKnown("solu_ln"));
        assertFalse(ActivationFunction.isKnown(""));
    }
}
