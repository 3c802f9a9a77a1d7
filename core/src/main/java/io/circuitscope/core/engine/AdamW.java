package io.circuitscope.core.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/** AdamW hyper-parameters; weight decay is decoupled and applies to weight matrices only. */
public record AdamW(double beta1, double beta2, double epsilon, double weightDecay) {

    /** The settings the zoo models are trained with. */
    public static AdamW standard() {
        return new AdamW(0.9, 0.98, 1e-8, 0.01);
    }

    /** The settings as a map, for model cards. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "AdamW");
        m.put("betas", new double[] {beta1, beta2});
        m.put("epsilon", epsilon);
        m.put("weight_decay", weightDecay);
        m.put("weight_decay_applies_to", "weight matrices (W_*), not biases or LayerNorm");
        return m;
    }
}
