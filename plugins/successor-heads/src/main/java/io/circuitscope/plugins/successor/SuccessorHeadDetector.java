package io.circuitscope.plugins.successor;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.FactoredCircuit;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadEvidence;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.HookPoints;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeUnavailableException;
import io.circuitscope.spi.Tensor;
import io.circuitscope.spi.TokenVocabulary;
import io.circuitscope.spi.WeightView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.pf4j.Extension;

/**
 * Successor heads (Gould et al., 2023): for each item of an ordinal sequence (Monday, January, 3), the item's
 * residual stream as the head reads it (after its layer norm) is passed through the head's OV circuit, the final
 * layer norm and the unembedding; the head succeeds on the item when, among the items of the same sequence, the
 * next one gets the highest logit. The score is the share of items it succeeds on; the control is the share a random
 * ranking would reach.
 */
@Extension
public final class SuccessorHeadDetector implements HeadDetector {
    static final double THRESHOLD = 0.5;
    /** The layer norm epsilon the spi does not expose; TransformerLens's default, and too small to move a ranking. */
    private static final double EPS = 1e-5;

    @Override
    public String id() {
        return "successor-heads";
    }

    @Override
    public String description() {
        return "OV output on an ordinal item (Monday, January, 3) raises the next item above the rest of its sequence.";
    }

    @Override
    public Map<String, String> options() {
        return Map.of("threshold", "the share of items at or above which a head is labelled (default " + THRESHOLD
                + ")");
    }

    @Override
    public HeadScores detect(DetectionContext context) {
        double threshold = context.option("threshold").map(SuccessorHeadDetector::share).orElse(THRESHOLD);
        TokenVocabulary vocabulary = context.vocabulary().orElseThrow(() -> new ProbeUnavailableException(
                "this model has no tokenizer, so the ordinal items (Monday, January, 1 ...) cannot be found"));
        List<OrdinalSequence.Found> sequences = new ArrayList<>();
        for (OrdinalSequence s : OrdinalSequence.ALL) {
            s.in(vocabulary).ifPresent(sequences::add);
        }
        if (sequences.isEmpty()) {
            throw new ProbeUnavailableException("the tokenizer lacks the ordinal items: no run of "
                    + OrdinalSequence.MIN_RUN + " consecutive weekdays, months or numbers 1-20 is single tokens, "
                    + "with or without a leading space");
        }
        ModelShape shape = context.shape();
        int[] items = sequences.stream().flatMapToInt(f -> IntStream.of(f.tokens())).toArray();
        int position = shape.hasBos() ? 1 : 0;
        int[][] rows = IntStream.of(items).mapToObj(t -> shape.hasBos() ? new int[] {shape.bosTokenId(), t}
                : new int[] {t}).toArray(int[][]::new);
        Set<String> hooks = IntStream.range(0, shape.nLayers()).mapToObj(HookPoints::residPre)
                .collect(Collectors.toSet());
        ModelRun run = context.run(rows, hooks);
        WeightView weights = context.weights();
        Readout readout = new Readout(weights, shape);
        double control = chance(sequences);
        HeadScores.Builder b = HeadScores.builder(shape);
        for (int l = 0; l < shape.nLayers(); l++) {
            Tensor resid = run.activation(HookPoints.residPre(l));
            double[] ln1w = readout.optional("blocks." + l + ".ln1.w");
            double[] ln1b = readout.optional("blocks." + l + ".ln1.b");
            for (int h = 0; h < shape.nHeads(); h++) {
                FactoredCircuit ov = weights.ov(l, h);
                Map<String, Double> components = new LinkedHashMap<>();
                int correct = 0;
                int scored = 0;
                int row = 0;
                for (OrdinalSequence.Found f : sequences) {
                    int right = 0;
                    for (int i = 0; i < f.tokens().length; i++, row++) {
                        if (i == f.tokens().length - 1) {
                            continue;
                        }
                        double[] x = readout.norm(vector(resid, row, position), ln1w, ln1b);
                        double[] out = readout.finalNorm(times(times(x, ov.left()), ov.right()));
                        right += readout.argmax(out, f.tokens()) == i + 1 ? 1 : 0;
                    }
                    components.put(f.name() + " (" + (f.tokens().length - 1) + " items)",
                            right / (f.tokens().length - 1.0));
                    correct += right;
                    scored += f.tokens().length - 1;
                }
                double score = correct / (double) scored;
                b.score(l, h, score, control).evidence(l, h, HeadEvidence.of(components));
                if (score >= threshold && score > control) {
                    b.label(l, h);
                }
            }
        }
        for (OrdinalSequence.Found f : sequences) {
            b.setting("sequence " + f.name(), String.join(" ", f.items()) + " (" + f.spelling() + ")");
        }
        return b.setting("label_rule", "score >= " + threshold + " and score > control")
                .setting("control", "the share a random ranking of each sequence's items would get right")
                .build();
    }

    /** The expected share of items a random ranking puts the successor first for: 1/n per item of an n-item run. */
    static double chance(List<OrdinalSequence.Found> sequences) {
        double sum = 0;
        int n = 0;
        for (OrdinalSequence.Found f : sequences) {
            int k = f.tokens().length;
            sum += (k - 1) / (double) k;
            n += k - 1;
        }
        return sum / n;
    }

    private static double[] vector(Tensor t, int row, int position) {
        int d = t.dim(2);
        double[] v = new double[d];
        for (int i = 0; i < d; i++) {
            v[i] = t.get(row, position, i);
        }
        return v;
    }

    /** x [n] times m [n, k]. */
    static double[] times(double[] x, Tensor m) {
        int k = m.dim(1);
        double[] out = new double[k];
        for (int i = 0; i < x.length; i++) {
            if (x[i] == 0) {
                continue;
            }
            for (int j = 0; j < k; j++) {
                out[j] += x[i] * m.get(i, j);
            }
        }
        return out;
    }

    private static double share(String text) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("successor-heads.threshold must be a number in (0, 1], got '" + text
                    + "'");
        }
        if (!(v > 0 && v <= 1)) {
            throw new IllegalArgumentException("successor-heads.threshold must be in (0, 1], got " + v);
        }
        return v;
    }

    /** The model's layer norms and unembedding, applied the way the forward pass applies them. */
    static final class Readout {
        private final WeightView weights;
        private final ModelShape shape;
        private final Tensor unembed;
        private final double[] finalWeight;

        Readout(WeightView weights, ModelShape shape) {
            this.weights = weights;
            this.shape = shape;
            this.unembed = weights.parameter("unembed.W_U");
            this.finalWeight = optional("ln_final.w");
        }

        /** A parameter vector, or null when the model has none (no norm, LNPre, RMSPre, or a bias under RMS). */
        double[] optional(String name) {
            boolean weight = name.endsWith(".w") && shape.normalization().equals("RMS");
            if (!shape.normalization().equals("LN") && !weight) {
                return null;
            }
            Tensor t = weights.parameter(name);
            double[] v = new double[t.dim(0)];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.get(i);
            }
            return v;
        }

        /** The layer norm of x: centred (except RMSNorm) and scaled, then the norm's weight and bias, if any. */
        double[] norm(double[] x, double[] weight, double[] bias) {
            if (shape.normalization().equals("none")) {
                return x;
            }
            double mean = centred() ? mean(x) : 0;
            double var = 0;
            for (double v : x) {
                var += (v - mean) * (v - mean) / x.length;
            }
            double scale = Math.sqrt(var + EPS);
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (x[i] - mean) / scale * (weight == null ? 1 : weight[i]) + (bias == null ? 0 : bias[i]);
            }
            return out;
        }

        /** LayerNorm subtracts the mean; RMSNorm does not. */
        private boolean centred() {
            return shape.normalization().startsWith("LN");
        }

        private static double mean(double[] x) {
            double mean = 0;
            for (double v : x) {
                mean += v / x.length;
            }
            return mean;
        }

        /**
         * The head's output as the unembedding sees it: centred (except under RMSNorm) and multiplied by the final norm's weight. The
         * final scale is shared by every candidate and the final bias does not depend on the head, so neither can
         * change which candidate ranks first.
         */
        double[] finalNorm(double[] o) {
            if (shape.normalization().equals("none")) {
                return o;
            }
            double mean = centred() ? mean(o) : 0;
            double[] out = new double[o.length];
            for (int i = 0; i < o.length; i++) {
                out[i] = (o[i] - mean) * (finalWeight == null ? 1 : finalWeight[i]);
            }
            return out;
        }

        /** The index, among {@code candidates}, of the token with the highest logit. */
        int argmax(double[] residual, int[] candidates) {
            int best = 0;
            double bestLogit = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < candidates.length; c++) {
                double logit = 0;
                for (int i = 0; i < residual.length; i++) {
                    logit += residual[i] * unembed.get(i, candidates[c]);
                }
                if (logit > bestLogit) {
                    bestLogit = logit;
                    best = c;
                }
            }
            return best;
        }
    }
}
