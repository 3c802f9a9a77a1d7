package io.circuitscope.wiki;

import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.method.DiscoveryMethod;
import java.util.Optional;

/**
 * How a wiki is built: the seed every detector and task draws from, the discovery method (or the automatic choice),
 * how many examples each task draws, and the version written into the provenance.
 *
 * @param method empty for the automatic choice: ACDC on graphs of at most {@value #ACDC_EDGE_LIMIT} edges, EAP+ACDC
 *     over the top edges by EAP on larger ones, where edge-by-edge ACDC would take hours
 */
public record WikiSettings(long seed, Optional<DiscoveryMethod> method, int examples, String version) {
    /** The largest graph the automatic choice runs plain ACDC on. */
    public static final int ACDC_EDGE_LIMIT = 2000;

    public WikiSettings {
        if (examples < 1) {
            throw new IllegalArgumentException("--examples must be at least 1, got " + examples);
        }
    }

    /** The method to run on a graph. */
    public DiscoveryMethod methodFor(ComputationGraph graph) {
        return method.orElse(graph.edgeCount() <= ACDC_EDGE_LIMIT ? DiscoveryMethod.ACDC : DiscoveryMethod.EAP_ACDC);
    }
}
