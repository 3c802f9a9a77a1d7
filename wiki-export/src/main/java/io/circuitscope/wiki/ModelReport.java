package io.circuitscope.wiki;

import io.circuitscope.core.analysis.CompositionScores;
import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.spi.ModelShape;
import java.util.List;
import java.util.Map;

/**
 * Everything the wiki shows about one model: detector outcomes, composition scores, attention on probe prompts,
 * circuits, and how they were produced.
 *
 * @param slug the model's folder name in the site
 * @param architecture a one-line description of the model
 * @param timings seconds per stage, in the order the stages ran
 */
public record ModelReport(String slug, String source, String architecture, ModelShape shape,
                          List<DetectorOutcome> detectors, CompositionScores composition,
                          List<AttentionProbe> probes, List<CircuitReport> circuits, TokenLabels tokens,
                          WikiSettings settings, Map<String, Double> timings) {
    /** The outcomes that produced scores, in run order. */
    public List<DetectorOutcome> scored() {
        return detectors.stream().filter(o -> o.scores().isPresent()).toList();
    }

    /** The ids of the detectors that labelled a head, in run order. */
    public List<String> labels(int layer, int head) {
        return scored().stream().filter(o -> o.scores().orElseThrow().labelled(layer, head))
                .map(DetectorOutcome::id).toList();
    }
}
