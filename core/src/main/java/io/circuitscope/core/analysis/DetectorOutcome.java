package io.circuitscope.core.analysis;

import io.circuitscope.spi.HeadScores;
import java.util.Optional;

/**
 * What one detector gave for one model: its scores, or the reason it gave none.
 *
 * @param scores present when the detector succeeded
 * @param problem present when it did not: the model cannot serve its probes, it threw, or its result was malformed
 */
public record DetectorOutcome(String id, String description, Optional<HeadScores> scores, Optional<String> problem,
                              double seconds) {
}
