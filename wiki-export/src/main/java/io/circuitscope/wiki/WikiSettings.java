package io.circuitscope.wiki;

import io.circuitscope.core.plugin.ExtensionOrigin;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.method.DiscoveryMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a wiki is built: the seed every detector and task draws from, the discovery method (or the automatic choice),
 * how many examples each task draws, and the version written into the provenance.
 *
 * @param method empty for the automatic choice: ACDC on graphs of at most {@value #ACDC_EDGE_LIMIT} edges, EAP+ACDC
 *     over the top edges by EAP on larger ones, where edge-by-edge ACDC would take hours
 * @param detectorTimeLimit how long one detector may run on one model before it is reported and abandoned
 * @param detectorOrigins where each detector comes from, by id ({@code built-in} or {@code plugin <id> <version>})
 * @param pluginsSkipped each plugin jar or extension that could not be loaded, with the reason, for the index page
 */
public record WikiSettings(long seed, Optional<DiscoveryMethod> method, int examples, String version,
                           Duration detectorTimeLimit, Map<String, String> detectorOrigins,
                           List<String> pluginsSkipped) {
    /** The largest graph the automatic choice runs plain ACDC on. */
    public static final int ACDC_EDGE_LIMIT = 2000;

    public WikiSettings {
        if (examples < 1) {
            throw new IllegalArgumentException("--examples must be at least 1, got " + examples);
        }
        detectorOrigins = Map.copyOf(detectorOrigins);
        pluginsSkipped = List.copyOf(pluginsSkipped);
    }

    /** Where a detector comes from; built-in unless the settings say otherwise. */
    public String originOf(String detectorId) {
        return detectorOrigins.getOrDefault(detectorId, ExtensionOrigin.BUILT_IN.label());
    }

    /** The method to run on a graph. */
    public DiscoveryMethod methodFor(ComputationGraph graph) {
        return method.orElse(graph.edgeCount() <= ACDC_EDGE_LIMIT ? DiscoveryMethod.ACDC : DiscoveryMethod.EAP_ACDC);
    }
}
