package io.circuitscope.detectors;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadEvidence;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.HookPoints;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.RepeatProbe;
import io.circuitscope.spi.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A detector that scores each head by the attention it puts on one expected key per query row. By default it averages
 * only over rows that have a target, never targets BOS, and reports the same measure on control prompts; the
 * {@code measure} option {@code tl-mul} or {@code tl-abs} instead reproduces TransformerLens's measure on its prompt
 * format (BOS, then a random sequence, then the same sequence again).
 */
abstract class PatternDetector implements HeadDetector {
    static final int PROBES = 64;
    static final int MAX_LENGTH = 48;
    /** A head is labelled when its score reaches this much... */
    static final double LABEL_SCORE = 0.4;
    /** ...and exceeds its control score by this margin. */
    static final double LABEL_MARGIN = 0.3;

    /** Probe prompts and the rows to score, on the measured prompts and on the controls. */
    record Probe(int[][] tokens, List<RowTarget> targets, int[][] controlTokens, List<RowTarget> controlTargets) {
    }

    /** Every layer's attention pattern, the hooks every pattern-based score reads. */
    static Set<String> allPatterns(ModelShape shape) {
        return IntStream.range(0, shape.nLayers()).mapToObj(HookPoints::pattern).collect(Collectors.toSet());
    }

    /** The token rows of a list of probes, ready to batch. */
    static int[][] tokens(List<RepeatProbe> probes) {
        return probes.stream().map(RepeatProbe::tokens).toArray(int[][]::new);
    }

    /** Draws the probes for the default (targeted) measure. */
    abstract Probe probe(DetectionContext context, int length);

    /** What the probes are, for the settings. */
    abstract String probeDescription();

    /** TransformerLens's detection pattern for one prompt. */
    abstract double[][] transformerLensPattern(int[] tokens);

    /** Extra evidence per head (for example OV copying), beyond the score and its control. */
    interface ExtraEvidence {
        Map<String, Double> of(int layer, int head);
    }

    /**
     * True when the extra evidence alone earns the label (for example a duplicate-token head that only fires on the
     * names of the model's own task); false by default.
     */
    boolean labelledByEvidence(Map<String, Double> components) {
        return false;
    }

    /** The extra evidence for this model; none by default. */
    ExtraEvidence extraEvidence(DetectionContext context) {
        return (layer, head) -> Map.of();
    }

    @Override
    public Map<String, String> options() {
        return Map.of("measure", "targeted (default: rows with a target only, BOS excluded, with a control), or"
                + " TransformerLens's tl-mul or tl-abs on its own prompt format");
    }

    @Override
    public HeadScores detect(DetectionContext context) {
        String measure = context.option("measure").orElse("targeted");
        ModelShape shape = context.shape();
        int length = Math.min(MAX_LENGTH, shape.nCtx());
        HeadScores.Builder b = HeadScores.builder(shape)
                .setting("measure", measure)
                .setting("probes", PROBES)
                .setting("probe_length", length)
                .setting("seed", context.seed())
                .setting("bos_token_id", shape.bosTokenId())
                .setting("label_rule", "score >= " + LABEL_SCORE + " and score - control >= " + LABEL_MARGIN);
        if (measure.equals("targeted")) {
            targeted(context, length, b);
        } else {
            transformerLens(context, length, TransformerLensMeasure.parse(measure), b);
        }
        return b.build();
    }

    private void targeted(DetectionContext context, int length, HeadScores.Builder b) {
        Probe p = probe(context, length);
        b.setting("prompts", probeDescription()).setting("rows_scored", p.targets().size())
                .setting("control_rows_scored", p.controlTargets().size());
        ModelShape shape = context.shape();
        Set<String> hooks = allPatterns(shape);
        ModelRun run = context.run(p.tokens(), hooks);
        ModelRun control = context.run(p.controlTokens(), hooks);
        ExtraEvidence extra = extraEvidence(context);
        for (int l = 0; l < shape.nLayers(); l++) {
            double[] score = TargetedAttention.meanMass(run.pattern(l), p.targets());
            double[] ctrl = TargetedAttention.meanMass(control.pattern(l), p.controlTargets());
            for (int h = 0; h < shape.nHeads(); h++) {
                record(b, l, h, score[h], ctrl[h], TargetedAttention.topPairs(run.pattern(l), p.tokens(), h,
                        p.targets()), extra);
            }
        }
    }

    private void transformerLens(DetectionContext context, int length, TransformerLensMeasure measure,
                                 HeadScores.Builder b) {
        ModelShape shape = context.shape();
        int start = shape.hasBos() ? 1 : 0;
        int half = (length - start) / 2;
        List<RepeatProbe> repeats = new ArrayList<>();
        for (RepeatProbe r : context.probes().nonRepeating(context.random(), PROBES, start + 2 * half)) {
            int[] t = r.tokens().clone();
            System.arraycopy(t, start, t, start + half, half);
            repeats.add(new RepeatProbe(t, start, start + half, half));
        }
        List<RepeatProbe> controls = context.probes().nonRepeating(context.random(), PROBES, start + 2 * half);
        b.setting("prompts", "TransformerLens format: " + (start == 1 ? "BOS, then " : "") + half
                + " distinct random tokens, then the same tokens again; control: " + (2 * half)
                + " distinct random tokens; exclude_bos=False, exclude_current_token=False, per-prompt scores"
                + " averaged");
        double[][] score = tlScores(context, repeats, measure);
        double[][] ctrl = tlScores(context, controls, measure);
        ExtraEvidence extra = extraEvidence(context);
        for (int l = 0; l < shape.nLayers(); l++) {
            for (int h = 0; h < shape.nHeads(); h++) {
                record(b, l, h, score[l][h], ctrl[l][h], List.of(), extra);
            }
        }
    }

    private double[][] tlScores(DetectionContext context, List<RepeatProbe> prompts, TransformerLensMeasure measure) {
        ModelShape shape = context.shape();
        int[][] tokens = tokens(prompts);
        ModelRun run = context.run(tokens, allPatterns(shape));
        double[][] out = new double[shape.nLayers()][shape.nHeads()];
        int n = tokens[0].length;
        for (int l = 0; l < shape.nLayers(); l++) {
            Tensor pattern = run.pattern(l);
            for (int i = 0; i < tokens.length; i++) {
                double[][] detection = transformerLensPattern(tokens[i]);
                for (int h = 0; h < shape.nHeads(); h++) {
                    double[][] a = new double[n][n];
                    for (int q = 0; q < n; q++) {
                        for (int k = 0; k < n; k++) {
                            a[q][k] = pattern.get(i, h, q, k);
                        }
                    }
                    out[l][h] += measure.score(a, detection, false, false) / tokens.length;
                }
            }
        }
        return out;
    }

    private void record(HeadScores.Builder b, int l, int h, double score, double control,
                        List<io.circuitscope.spi.AttendedPair> pairs, ExtraEvidence extra) {
        b.score(l, h, score, control);
        Map<String, Double> components = new LinkedHashMap<>();
        components.put("score", score);
        components.put("control", control);
        components.putAll(extra.of(l, h));
        if ((score >= LABEL_SCORE && score - control >= LABEL_MARGIN) || labelledByEvidence(components)) {
            b.label(l, h);
        }
        b.evidence(l, h, new HeadEvidence(components, pairs, Map.of()));
    }
}
