package io.circuitscope.detectors;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.IoiProbe;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.ProbeUnavailableException;
import io.circuitscope.spi.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pf4j.Extension;

/**
 * Duplicate-token heads: attention from a repeated token to its earlier copy, on random repeats. Where the model has
 * IOI prompts, the evidence adds the attention from S2 to S1 and, as its control, from S2 to IO; a head that attends
 * S2 to S1 by at least {@value #IOI_LABEL} and {@value #IOI_MARGIN} more than to IO is labelled too, since a model
 * trained on names may duplicate-detect only names.
 */
@Extension(ordinal = 2)
public final class DuplicateTokenDetector extends RepeatPatternDetector {
    static final double IOI_LABEL = 0.4;
    static final double IOI_MARGIN = 0.3;
    static final int IOI_PROMPTS = 64;

    @Override
    public String id() {
        return "duplicate-token";
    }

    @Override
    public String description() {
        return "Attention from a repeated token to its earlier copy, with varied repeat offsets and lengths.";
    }

    @Override
    String probeDescription() {
        return "random tokens with one segment (3 to half the prompt) repeated at a random start and offset;"
                + " rows: second-copy tokens seen exactly once before; target: that earlier copy";
    }

    @Override
    int key(int query, int offset) {
        return query - offset;
    }

    @Override
    ExtraEvidence extraEvidence(DetectionContext context) {
        List<IoiProbe> prompts;
        try {
            prompts = context.probes().ioiPrompts(new SplittableRandom(context.seed()), IOI_PROMPTS);
        } catch (ProbeUnavailableException e) {
            return (layer, head) -> Map.of();
        }
        int[][] tokens = prompts.stream().map(IoiProbe::tokens).toArray(int[][]::new);
        ModelRun run = context.run(tokens, allPatterns(context.shape()));
        return (layer, head) -> {
            Tensor p = run.pattern(layer);
            double s1 = 0;
            double io = 0;
            for (int b = 0; b < tokens.length; b++) {
                IoiProbe q = prompts.get(b);
                s1 += p.get(b, head, q.s2Pos(), q.s1Pos()) / tokens.length;
                io += p.get(b, head, q.s2Pos(), q.ioPos()) / tokens.length;
            }
            return Map.of("ioi_s2_to_s1", s1, "ioi_s2_to_io", io);
        };
    }

    @Override
    boolean labelledByEvidence(Map<String, Double> c) {
        Double s1 = c.get("ioi_s2_to_s1");
        return s1 != null && s1 >= IOI_LABEL && s1 - c.get("ioi_s2_to_io") >= IOI_MARGIN;
    }

    @Override
    double[][] transformerLensPattern(int[] tokens) {
        return TransformerLensMeasure.duplicateTokenPattern(tokens);
    }
}
