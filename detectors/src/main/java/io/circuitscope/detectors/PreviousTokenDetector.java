package io.circuitscope.detectors;

import io.circuitscope.spi.DetectionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.pf4j.Extension;

/**
 * Previous-token heads: attention from each token to the one just before it, on random non-repeating prompts. BOS is
 * never a target. The control is the attention the same head gives a random earlier non-BOS key other than the
 * previous token, on other random prompts.
 */
@Extension(ordinal = 1)
public final class PreviousTokenDetector extends PatternDetector {
    @Override
    public String id() {
        return "previous-token";
    }

    @Override
    public String description() {
        return "Attention from each token to the token just before it (BOS excluded), on random prompts.";
    }

    @Override
    String probeDescription() {
        return "random prompts of distinct tokens; rows: every query whose previous token is not BOS;"
                + " control: attention to a random earlier non-BOS key other than the previous token";
    }

    @Override
    Probe probe(DetectionContext context, int length) {
        SplittableRandom rng = context.random();
        int start = context.shape().hasBos() ? 1 : 0;
        int[][] tokens = tokens(context.probes().nonRepeating(rng, PROBES, length));
        int[][] controls = tokens(context.probes().nonRepeating(rng, PROBES, length));
        List<RowTarget> targets = new ArrayList<>();
        List<RowTarget> controlTargets = new ArrayList<>();
        for (int b = 0; b < PROBES; b++) {
            for (int q = start + 1; q < length; q++) {
                targets.add(new RowTarget(b, q, q - 1));
                if (q - 2 >= start) {
                    controlTargets.add(new RowTarget(b, q, start + rng.nextInt(q - 1 - start)));
                }
            }
        }
        return new Probe(tokens, targets, controls, controlTargets);
    }

    @Override
    double[][] transformerLensPattern(int[] tokens) {
        return TransformerLensMeasure.previousTokenPattern(tokens.length);
    }
}
