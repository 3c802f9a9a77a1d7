package io.circuitscope.spi;

import java.util.Map;
import org.pf4j.ExtensionPoint;

/**
 * Scores every attention head of a model for one behaviour; built-in detectors and plugin jars implement this one
 * interface, and the host runs each through a {@link DetectionContext} that needs no engine classes.
 */
public interface HeadDetector extends ExtensionPoint {
    /** A stable kebab-case id, used as the detector's column in {@code heads.csv} and as its label. */
    String id();

    /** One sentence saying what the score measures. */
    String description();

    /**
     * The settings this detector reads through {@link DetectionContext#option}, each with a one-line description; the
     * host refuses any other. None by default.
     */
    default Map<String, String> options() {
        return Map.of();
    }

    /**
     * Scores every head. May throw {@link ProbeUnavailableException} when the model cannot serve the detector's
     * probes (for example no tokenizer); the host then reports the reason and runs the other detectors.
     */
    HeadScores detect(DetectionContext context);
}
