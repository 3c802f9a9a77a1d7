package io.circuitscope.detectors;

import io.circuitscope.spi.DetectionContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.pf4j.Extension;

/**
 * Induction heads: attention from a repeated token to the token after its earlier copy. The evidence adds the OV
 * copying score (does attending to a token raise that token's logit?) on 200 random tokens.
 */
@Extension(ordinal = 3)
public final class InductionDetector extends RepeatPatternDetector {
    static final int COPY_CANDIDATES = 200;

    @Override
    public String id() {
        return "induction";
    }

    @Override
    public String description() {
        return "Attention from a repeated token to the token after its earlier copy, with varied repeat offsets and"
                + " lengths; evidence includes OV copying.";
    }

    @Override
    String probeDescription() {
        return "random tokens with one segment (3 to half the prompt) repeated at a random start and offset;"
                + " rows: second-copy tokens seen exactly once before; target: the token after that earlier copy";
    }

    @Override
    int key(int query, int offset) {
        return query - offset + 1;
    }

    @Override
    double[][] transformerLensPattern(int[] tokens) {
        return TransformerLensMeasure.inductionPattern(tokens);
    }

    @Override
    ExtraEvidence extraEvidence(DetectionContext context) {
        OvCopying copying = new OvCopying(context.weights(), randomTokens(context));
        return (layer, head) -> {
            OvCopying.CopyScore c = copying.of(context.weights().ov(layer, head));
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("ov_copy_z", c.meanZ());
            m.put("ov_copy_top1", c.top1Share());
            return m;
        };
    }

    private static int[] randomTokens(DetectionContext context) {
        SplittableRandom rng = new SplittableRandom(context.seed());
        int vocab = context.shape().dVocab();
        return rng.ints(0, vocab).filter(t -> t != context.shape().bosTokenId()).distinct()
                .limit(Math.min(COPY_CANDIDATES, vocab - 1)).toArray();
    }
}
