package io.circuitscope.detectors;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadEvidence;
import io.circuitscope.spi.HeadScores;
import java.util.Map;
import org.pf4j.Extension;

/**
 * Name movers (Wang et al. 2022): heads that attend from END to IO, copy names through their OV circuit, and raise the
 * IO - S logit difference directly. The score is the head's direct effect as a share of the clean logit difference;
 * the control is the same effect for a random other name in place of IO.
 */
@Extension(ordinal = 4)
public final class NameMoverDetector implements HeadDetector {
    @Override
    public String id() {
        return "name-mover";
    }

    @Override
    public String description() {
        return "Attends from END to IO, copies names (positive OV), and raises IO - S directly.";
    }

    @Override
    public HeadScores detect(DetectionContext context) {
        return score(context, new IoiMeasurements(context), false);
    }

    /** Scores movers of one sign: the negative variant flips the effect so that its score is positive too. */
    static HeadScores score(DetectionContext context, IoiMeasurements m, boolean negative) {
        HeadScores.Builder b = HeadScores.builder(context.shape());
        m.settings(b);
        double sign = negative ? -1 : 1;
        b.setting("label_rule", "attention END->IO >= " + IoiMeasurements.MOVER_ATTENTION
                + " and > attention to S1 + S2; OV copy z on names " + (negative ? "< 0" : "> 0")
                + "; direct effect share " + (negative ? "<= -" : ">= ") + IoiMeasurements.MOVER_EFFECT);
        for (int l = 0; l < context.shape().nLayers(); l++) {
            for (int h = 0; h < context.shape().nHeads(); h++) {
                b.score(l, h, sign * m.effect[l][h], sign * m.controlEffect[l][h]);
                if (m.isMover(l, h, negative)) {
                    b.label(l, h);
                }
                b.evidence(l, h, new HeadEvidence(m.components(l, h), java.util.List.of(), Map.of()));
            }
        }
        return b.build();
    }
}
