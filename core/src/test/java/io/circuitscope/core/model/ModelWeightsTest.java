package io.circuitscope.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelWeightsTest {

    private static final ModelConfig CONFIG =
            new ModelConfig(1, 6, 3, 5, 7, 11, 13, "gelu_new", "LN", false, "standard", 1e-5, null, "t");

    /** Zero tensors for every parameter CONFIG needs, in layout order. */
    private static Map<String, FloatTensor> zeros() {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        ParameterLayout.of(CONFIG).forEach((name, shape) -> tensors.put(name, FloatTensor.zeros(shape)));
        return tensors;
    }

    @Test
    void holdsTheParametersInStateDictOrder() {
        Map<String, FloatTensor> given = zeros();
        List<String> reversed = new ArrayList<>(given.keySet());
        Collections.reverse(reversed);
        Map<String, FloatTensor> shuffled = new LinkedHashMap<>();
        reversed.forEach(name -> shuffled.put(name, given.get(name)));
        shuffled.put("blocks.0.attn.IGNORE", FloatTensor.zeros(1));

        ModelWeights weights = new ModelWeights(CONFIG, shuffled);
        assertSame(CONFIG, weights.config());
        assertEquals(new ArrayList<>(ParameterLayout.of(CONFIG).keySet()), new ArrayList<>(weights.tensors().keySet()));
        assertSame(given.get("blocks.0.mlp.W_in"), weights.get("blocks.0.mlp.W_in"));
        assertArrayEquals(new int[] {6, 7}, weights.get("blocks.0.mlp.W_in").shape());
        assertThrows(UnsupportedOperationException.class, () -> weights.tensors().remove("embed.W_E"));
    }

    @Test
    void parameterCountIsTheNumberOfValues() {
        // 66 + 78 + (12 + 411 + 12 + 97) + 12 + 77
        assertEquals(765, new ModelWeights(CONFIG, zeros()).parameterCount());
        assertEquals(CONFIG.parameterCount(), new ModelWeights(CONFIG, zeros()).parameterCount());
    }

    @Test
    void unknownParameterIsNamed() {
        ModelWeights weights = new ModelWeights(CONFIG, zeros());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> weights.get("blocks.1.attn.W_Q"));
        assertEquals("no parameter blocks.1.attn.W_Q", e.getMessage());
    }

    @Test
    void missingParameterIsNamedWithItsShape() {
        Map<String, FloatTensor> tensors = zeros();
        tensors.remove("blocks.0.attn.W_K");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModelWeights(CONFIG, tensors));
        assertEquals("missing parameter blocks.0.attn.W_K (expected shape [3, 6, 5])", e.getMessage());
    }

    @Test
    void misshapedParameterIsNamedWithBothShapes() {
        Map<String, FloatTensor> tensors = zeros();
        tensors.put("blocks.0.attn.W_K", FloatTensor.zeros(3, 5, 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModelWeights(CONFIG, tensors));
        assertEquals("parameter blocks.0.attn.W_K has shape [3, 5, 6], expected [3, 6, 5]", e.getMessage());
    }
}
