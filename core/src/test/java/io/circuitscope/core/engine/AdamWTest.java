package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

    @Test
    void describeReportsEverySettingForTheModelCard() {
        Map<String, Object> d = new AdamW(0.8, 0.95, 1e-6, 0.05).describe();
        assertEquals(List.of("name", "betas", "epsilon", "weight_decay", "weight_decay_applies_to"),
                List.copyOf(d.keySet()));
        assertEquals("AdamW", d.get("name"));
        assertArrayEquals(new double[] {0.8, 0.95}, (double[]) d.get("betas"));
        assertEquals(1e-6, d.get("epsilon"));
        assertEquals(0.05, d.get("weight_decay"));
    }

    @Test
    void standardIsWhatTheShippedModelCardsRecord() {
        // toy-induction and toy-ioi's model cards: betas [0.9, 0.98], weight_decay 0.01 (and torch's default eps).
        assertEquals(new AdamW(0.9, 0.98, 1e-8, 0.01), AdamW.standard());
    }
}
