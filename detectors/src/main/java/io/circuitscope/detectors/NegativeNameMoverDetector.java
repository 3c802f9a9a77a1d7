package io.circuitscope.detectors;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadScores;
import org.pf4j.Extension;

/**
 * Negative name movers: the name movers' attention from END to IO, with a negative OV copy score and a negative
 * direct effect on IO - S. The score is minus the direct-effect share, so a stronger negative mover scores higher.
 */
@Extension(ordinal = 5)
public final class NegativeNameMoverDetector implements HeadDetector {
    @Override
    public String id() {
        return "negative-name-mover";
    }

    @Override
    public String description() {
        return "Attends from END to IO but suppresses it: negative OV copying and a negative direct effect on IO - S.";
    }

    @Override
    public HeadScores detect(DetectionContext context) {
        return NameMoverDetector.score(context, new IoiMeasurements(context), true);
    }
}
