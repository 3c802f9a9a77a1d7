package io.circuitscope.plugins.attentionsink;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadEvidence;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.HookPoints;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeUnavailableException;
import io.circuitscope.spi.RepeatProbe;
import io.circuitscope.spi.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.pf4j.Extension;

/**
 * Scores each head by the share of its attention that goes to position 0 (BOS in models that have one), averaged over
 * every query after position 0 on random prompts. The control is what a head spreading its attention evenly over the
 * causal prefix would give position 0, so a score far above it marks an attention sink.
 */
@Extension
public final class AttentionSinkDetector implements HeadDetector {
    static final int PROMPTS = 32;
    static final int LENGTH = 24;
    static final double THRESHOLD = 0.5;

    @Override
    public String id() {
        return "attention-sink";
    }

    @Override
    public String description() {
        return "Share of attention that goes to position 0 (the BOS sink), over all later queries on random prompts.";
    }

    @Override
    public Map<String, String> options() {
        return Map.of("threshold", "the share at or above which a head is labelled (default " + THRESHOLD + ")");
    }

    @Override
    public HeadScores detect(DetectionContext context) {
        double threshold = context.option("threshold").map(AttentionSinkDetector::share).orElse(THRESHOLD);
        ModelShape shape = context.shape();
        int length = Math.min(LENGTH, shape.nCtx());
        if (length < 2) {
            throw new ProbeUnavailableException("a context of " + shape.nCtx() + " tokens has no query after position 0");
        }
        List<RepeatProbe> probes = context.probes().nonRepeating(context.random(), PROMPTS, length);
        int[][] tokens = probes.stream().map(RepeatProbe::tokens).toArray(int[][]::new);
        Set<String> hooks = IntStream.range(0, shape.nLayers()).mapToObj(HookPoints::pattern)
                .collect(Collectors.toSet());
        ModelRun run = context.run(tokens, hooks);
        double control = uniformShare(length);
        HeadScores.Builder b = HeadScores.builder(shape);
        for (int l = 0; l < shape.nLayers(); l++) {
            Tensor pattern = run.pattern(l);
            for (int h = 0; h < shape.nHeads(); h++) {
                double all = 0;
                double last = 0;
                for (int p = 0; p < tokens.length; p++) {
                    for (int q = 1; q < length; q++) {
                        all += pattern.get(p, h, q, 0);
                    }
                    last += pattern.get(p, h, length - 1, 0);
                }
                double score = all / (tokens.length * (length - 1.0));
                b.score(l, h, score, control);
                Map<String, Double> components = new LinkedHashMap<>();
                components.put("share to position 0, all queries", score);
                components.put("share to position 0, last query", last / tokens.length);
                components.put("even-spread share (control)", control);
                b.evidence(l, h, HeadEvidence.of(components));
                if (score >= threshold && score > control) {
                    b.label(l, h);
                }
            }
        }
        return b.setting("prompts", PROMPTS + " random prompts without repeats, " + length + " tokens"
                        + (shape.hasBos() ? " starting with BOS" : ""))
                .setting("seed", context.seed())
                .setting("label_rule", "score >= " + threshold + " and score > control")
                .setting("control", "mean over queries q >= 1 of 1/(q+1)")
                .build();
    }

    /** The share of position 0 under even attention over each query's prefix, averaged over queries 1..length-1. */
    static double uniformShare(int length) {
        double sum = 0;
        for (int q = 1; q < length; q++) {
            sum += 1.0 / (q + 1);
        }
        return sum / (length - 1);
    }

    private static double share(String text) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("attention-sink.threshold must be a number in (0, 1], got '" + text
                    + "'");
        }
        if (!(v > 0 && v <= 1)) {
            throw new IllegalArgumentException("attention-sink.threshold must be in (0, 1], got " + v);
        }
        return v;
    }
}
