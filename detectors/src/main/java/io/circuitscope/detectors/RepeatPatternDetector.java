package io.circuitscope.detectors;

import io.circuitscope.core.probe.RepeatedSegment;
import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.RepeatProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A detector scored on repeated segments whose start, offset and length vary per prompt, so that a head attending to
 * a fixed relative position cannot score high. Rows are the second copy's tokens whose token occurs exactly once
 * earlier. The control measures the same rows and keys on prompts of distinct random tokens, where nothing repeats.
 */
abstract class RepeatPatternDetector extends PatternDetector {
    /** The key a row attends to, given the query and the distance back to its token's first copy. */
    abstract int key(int query, int offset);

    @Override
    Probe probe(DetectionContext context, int length) {
        SplittableRandom rng = context.random();
        List<RepeatProbe> repeats = context.probes().repeatedSegments(rng, PROBES, length);
        int[][] tokens = tokens(repeats);
        int[][] controls = tokens(context.probes().nonRepeating(rng, PROBES, length));
        List<RowTarget> targets = new ArrayList<>();
        List<RowTarget> controlTargets = new ArrayList<>();
        for (int b = 0; b < PROBES; b++) {
            RepeatProbe r = repeats.get(b);
            int offset = r.secondStart() - r.firstStart();
            for (int q = r.secondStart(); q < r.secondStart() + r.length(); q++) {
                if (RepeatedSegment.occursOnceBefore(tokens[b], q)) {
                    targets.add(new RowTarget(b, q, key(q, offset)));
                    controlTargets.add(new RowTarget(b, q, key(q, offset)));
                }
            }
        }
        return new Probe(tokens, targets, controls, controlTargets);
    }
}
