package io.circuitscope.detectors;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HookPatch;
import io.circuitscope.spi.HookPoints;
import io.circuitscope.spi.IoiProbe;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeUnavailableException;
import io.circuitscope.spi.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The measurements the IOI detectors share, on {@value #PROMPTS} IOI prompts (half ABBA, half BABA) from core:
 * <ul>
 *   <li>each head's attention from END to IO, S1 and S2;</li>
 *   <li>its direct effect on the logit difference IO - S: its output at END through the final norm (centred and
 *       divided by that prompt's clean final-norm scale, then times {@code ln_final.w}, as TransformerLens's
 *       {@code apply_ln_to_stack} does) and W_U, as a share of the model's clean mean logit difference;</li>
 *   <li>a control effect: the same for a random other name R in place of IO (R - S), which a head that writes IO
 *       specifically does not move;</li>
 *   <li>its OV copy score on the names (see {@link OvCopying}).</li>
 * </ul>
 */
final class IoiMeasurements {
    static final int PROMPTS = 32;
    /** A name mover attends from END to IO at least this much, and more than to S1 and S2 together. */
    static final double MOVER_ATTENTION = 0.2;
    /** A name mover's direct effect is at least this share of the clean logit difference (negative for negative). */
    static final double MOVER_EFFECT = 0.05;
    /**
     * Below this clean logit difference the model does not perform IOI, shares of it are meaningless, and no IOI
     * label is given.
     */
    static final double MIN_LOGIT_DIFF = 1.0;

    final DetectionContext context;
    final List<IoiProbe> prompts;
    final int[][] tokens;
    final int[] controlNames;
    final double cleanLogitDiff;
    final double[][] attnIo;
    final double[][] attnS1;
    final double[][] attnS2;
    final double[][] effect;
    final double[][] controlEffect;
    final double[][] copyZ;
    final double[][] copyTop1;
    /** The clean run: logits, every layer's patterns and head results, and the final norm's scale. */
    final ModelRun clean;
    private final Tensor unembed;
    private final Tensor lnWeight;
    private final boolean centred;

    IoiMeasurements(DetectionContext context) {
        this.context = context;
        ModelShape shape = context.shape();
        // Seeded by the run's seed alone, not the detector's id, so every IOI detector scores the same prompts.
        SplittableRandom rng = new SplittableRandom(context.seed());
        prompts = context.probes().ioiPrompts(rng, PROMPTS);
        tokens = prompts.stream().map(IoiProbe::tokens).toArray(int[][]::new);
        TreeSet<Integer> names = new TreeSet<>();
        prompts.forEach(p -> {
            names.add(p.ioToken());
            names.add(p.sToken());
        });
        int[] nameIds = names.stream().mapToInt(Integer::intValue).toArray();
        if (nameIds.length < 3) {
            throw new ProbeUnavailableException("the IOI prompts use only " + nameIds.length + " names; the control"
                    + " needs a third");
        }
        controlNames = new int[PROMPTS];
        for (int b = 0; b < PROMPTS; b++) {
            IoiProbe p = prompts.get(b);
            int r;
            do {
                r = nameIds[rng.nextInt(nameIds.length)];
            } while (r == p.ioToken() || r == p.sToken());
            controlNames[b] = r;
        }
        unembed = context.weights().parameter("unembed.W_U");
        boolean learned = shape.normalization().equals("LN") || shape.normalization().equals("RMS");
        lnWeight = learned ? context.weights().parameter("ln_final.w") : null;
        // RMSNorm scales without centring, so a head's output reaches the logits uncentred.
        centred = shape.normalization().startsWith("LN");

        clean = context.run(tokens, hooks(shape, true, true));
        Tensor logits = clean.logits();
        double ld = 0;
        for (int b = 0; b < PROMPTS; b++) {
            IoiProbe p = prompts.get(b);
            ld += (logits.get(b, p.endPos(), p.ioToken()) - logits.get(b, p.endPos(), p.sToken())) / PROMPTS;
        }
        cleanLogitDiff = ld;
        int layers = shape.nLayers();
        int heads = shape.nHeads();
        attnIo = new double[layers][heads];
        attnS1 = new double[layers][heads];
        attnS2 = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            Tensor pattern = clean.pattern(l);
            for (int h = 0; h < heads; h++) {
                attnIo[l][h] = attention(pattern, h, IoiProbe::ioPos);
                attnS1[l][h] = attention(pattern, h, IoiProbe::s1Pos);
                attnS2[l][h] = attention(pattern, h, IoiProbe::s2Pos);
            }
        }
        effect = effects(clean, false);
        controlEffect = effects(clean, true);
        OvCopying copying = new OvCopying(context.weights(), nameIds);
        copyZ = new double[layers][heads];
        copyTop1 = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                OvCopying.CopyScore c = copying.of(context.weights().ov(l, h));
                copyZ[l][h] = c.meanZ();
                copyTop1[l][h] = c.top1Share();
            }
        }
    }

    /** Head results of every layer, the final norm's scale where there is one, and optionally patterns and logits. */
    static Set<String> hooks(ModelShape shape, boolean patterns, boolean logits) {
        Set<String> hooks = new HashSet<>();
        for (int l = 0; l < shape.nLayers(); l++) {
            if (patterns) {
                hooks.add(HookPoints.pattern(l));
            }
            hooks.add(HookPoints.result(l));
        }
        if (!shape.normalization().equals("none")) {
            hooks.add(HookPoints.finalScale());
        }
        if (logits) {
            hooks.add(HookPoints.LOGITS);
        }
        return hooks;
    }

    private double attention(Tensor pattern, int head, java.util.function.ToIntFunction<IoiProbe> key) {
        double sum = 0;
        for (int b = 0; b < PROMPTS; b++) {
            IoiProbe p = prompts.get(b);
            sum += pattern.get(b, head, p.endPos(), key.applyAsInt(p));
        }
        return sum / PROMPTS;
    }

    /**
     * Each head's direct effect on IO - S (or, for the control, R - S) as a share of the clean logit difference, in
     * a run of the same prompts (the clean run, or one with heads ablated). The final norm's scale is the clean
     * run's, frozen, so that the effects of an ablated run are comparable.
     */
    double[][] effects(ModelRun run, boolean control) {
        ModelShape shape = context.shape();
        double[][] out = new double[shape.nLayers()][shape.nHeads()];
        Tensor scale = shape.normalization().equals("none") ? null : clean.activation(HookPoints.finalScale());
        int d = shape.dModel();
        double[] direction = new double[d];
        double[] r = new double[d];
        for (int l = 0; l < shape.nLayers(); l++) {
            Tensor result = run.activation(HookPoints.result(l));
            for (int b = 0; b < PROMPTS; b++) {
                IoiProbe p = prompts.get(b);
                int target = control ? controlNames[b] : p.ioToken();
                for (int j = 0; j < d; j++) {
                    direction[j] = (unembed.get(j, target) - unembed.get(j, p.sToken()))
                            * (lnWeight == null ? 1 : lnWeight.get(j));
                }
                for (int h = 0; h < shape.nHeads(); h++) {
                    double mean = 0;
                    for (int j = 0; j < d; j++) {
                        r[j] = result.get(b, p.endPos(), h, j);
                        mean += r[j] / d;
                    }
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += (centred ? r[j] - mean : r[j]) * direction[j];
                    }
                    if (scale != null) {
                        s /= scale.get(b, p.endPos(), 0);
                    }
                    out[l][h] += s / PROMPTS / Math.max(Math.abs(cleanLogitDiff), 1e-6);
                }
            }
        }
        return out;
    }

    /** True when the model prefers IO over S clearly enough for IOI labels to mean anything. */
    boolean performsIoi() {
        return cleanLogitDiff >= MIN_LOGIT_DIFF;
    }

    /** Heads meeting the name-mover criteria with the given sign of copying and direct effect. */
    boolean isMover(int l, int h, boolean negative) {
        if (!performsIoi()) {
            return false;
        }
        boolean attends = attnIo[l][h] >= MOVER_ATTENTION && attnIo[l][h] > attnS1[l][h] + attnS2[l][h];
        return attends && (negative ? copyZ[l][h] < 0 && effect[l][h] <= -MOVER_EFFECT
                : copyZ[l][h] > 0 && effect[l][h] >= MOVER_EFFECT);
    }

    /** The heads labelled name movers, as {layer, head}, in layer-major order. */
    List<int[]> nameMovers() {
        List<int[]> out = new ArrayList<>();
        for (int l = 0; l < attnIo.length; l++) {
            for (int h = 0; h < attnIo[l].length; h++) {
                if (isMover(l, h, false)) {
                    out.add(new int[] {l, h});
                }
            }
        }
        return out;
    }

    /**
     * Mean-ablation patches for the given heads: each head's output replaced, at every position, by its mean over the
     * prompts at that position (the IOI paper's mean ablation over the same distribution).
     */
    List<HookPatch> meanAblation(List<int[]> heads) {
        List<HookPatch> patches = new ArrayList<>();
        for (int[] head : heads) {
            Tensor result = clean.activation(HookPoints.result(head[0]));
            patches.add(HookPatch.replaceHead(HookPoints.result(head[0]), head[1], meanOverBatch(result)));
        }
        return patches;
    }

    /** The tensor with every batch row replaced by the mean over rows. */
    static Tensor meanOverBatch(Tensor t) {
        int rows = t.dim(0);
        int per = t.data().length / rows;
        float[] mean = new float[per];
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < per; i++) {
                mean[i] += t.data()[b * per + i] / rows;
            }
        }
        float[] out = new float[t.data().length];
        for (int b = 0; b < rows; b++) {
            System.arraycopy(mean, 0, out, b * per, per);
        }
        return new Tensor(t.shape(), out);
    }

    /** Components every IOI detector shows for a head. */
    java.util.Map<String, Double> components(int l, int h) {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        m.put("attn_end_to_io", attnIo[l][h]);
        m.put("attn_end_to_s1", attnS1[l][h]);
        m.put("attn_end_to_s2", attnS2[l][h]);
        m.put("direct_effect_io_minus_s_share", effect[l][h]);
        m.put("direct_effect_control_share", controlEffect[l][h]);
        m.put("ov_copy_z_names", copyZ[l][h]);
        m.put("ov_copy_top1_names", copyTop1[l][h]);
        return m;
    }

    /**
     * A result builder with the settings every IOI detector records and, for the detectors that build on the name
     * movers, which heads those are ({@code noneFound} says what follows when there are none).
     */
    io.circuitscope.spi.HeadScores.Builder resultWithMovers(List<int[]> movers, String noneFound) {
        io.circuitscope.spi.HeadScores.Builder b = io.circuitscope.spi.HeadScores.builder(context.shape());
        settings(b);
        return b.setting("name_movers", movers.isEmpty() ? noneFound : names(movers));
    }

    /** Heads as graph node names, "a1.h3 a2.h0", in the given order. */
    static String names(List<int[]> heads) {
        List<String> n = new ArrayList<>();
        heads.forEach(x -> n.add("a" + x[0] + ".h" + x[1]));
        return String.join(" ", n);
    }

    /** Settings every IOI detector records. */
    void settings(io.circuitscope.spi.HeadScores.Builder b) {
        b.setting("prompts", PROMPTS + " IOI prompts from core's templates of the most common length, half ABBA"
                        + " and half BABA, names drawn uniformly from the model's single-token names")
                .setting("seed", context.seed())
                .setting("clean_logit_diff", cleanLogitDiff)
                .setting("direct_effect", "head output at END, centred, divided by the clean final-norm scale, times"
                        + " ln_final.w, dotted with W_U[IO] - W_U[S]; as a share of the clean mean logit difference")
                .setting("control", "the same direct effect with a random other name R in place of IO (R - S)")
                .setting("ablation", "mean over the prompts, position by position")
                .setting("ioi_performed", performsIoi() ? "yes" : "no: clean logit difference below "
                        + MIN_LOGIT_DIFF + ", so no IOI labels");
    }
}
