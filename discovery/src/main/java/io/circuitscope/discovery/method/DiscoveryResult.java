package io.circuitscope.discovery.method;

import io.circuitscope.discovery.eval.FaithfulnessCurve;
import io.circuitscope.discovery.eval.ReferenceComparison;
import io.circuitscope.discovery.graph.ComputationGraph;
import java.util.BitSet;

/**
 * A discovered circuit with every edge's score and how faithful it is.
 *
 * @param scores per edge in canonical order: ACDC's Δ (0 where never tested), or the attribution / exact effect
 * @param threshold the threshold actually applied (ACDC's τ, or the least kept score), NaN when the circuit was chosen
 *     by target faithfulness
 * @param reference the comparison with {@code --reference}, or null
 */
public record DiscoveryResult(ComputationGraph graph, DiscoverySettings settings, String task, int examples,
                              double[] scores, BitSet circuit, double metricFull, double metricEmpty,
                              double metricCircuit, double faithfulness, double threshold, FaithfulnessCurve curve,
                              ReferenceComparison reference) {
    public DiscoveryResult withReference(ReferenceComparison comparison) {
        return new DiscoveryResult(graph, settings, task, examples, scores, circuit, metricFull, metricEmpty,
                metricCircuit, faithfulness, threshold, curve, comparison);
    }
}
