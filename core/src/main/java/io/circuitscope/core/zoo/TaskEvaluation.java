package io.circuitscope.core.zoo;

import java.util.Map;

/** Held-out metrics of a trained zoo model and whether they meet the task's documented thresholds. */
public record TaskEvaluation(Map<String, Double> metrics, Map<String, Double> thresholds, boolean passed) {

    /** Builds an evaluation whose {@code passed} is true when every metric reaches its threshold. */
    public static TaskEvaluation of(Map<String, Double> metrics, Map<String, Double> thresholds) {
        boolean ok = thresholds.entrySet().stream()
                .allMatch(t -> metrics.getOrDefault(t.getKey(), Double.NEGATIVE_INFINITY) >= t.getValue());
        return new TaskEvaluation(Map.copyOf(metrics), Map.copyOf(thresholds), ok);
    }
}
