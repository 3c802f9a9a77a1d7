package io.circuitscope.detectors;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadEvidence;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.HookPatch;
import io.circuitscope.spi.HookPoints;
import io.circuitscope.spi.IoiProbe;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * S-inhibition heads (Wang et al. 2022): heads that attend from END to S2 and steer the name movers' queries toward IO.
 * The score is a path-patching effect: each name mover's query input gets the head's output mean-ablated (its clean
 * output subtracted, its mean over the prompts added) and nothing else changes; the score is how far the name
 * movers' mean attention from END to IO falls. The control is the same patch on the name movers' key inputs.
 */
public final class SInhibitionDetector implements HeadDetector {
    /** A head is labelled when its query-path effect reaches this much attention... */
    static final double LABEL_EFFECT = 0.05;
    /** ...it attends from END to S2 at least this much, and the effect exceeds the key-path control. */
    static final double LABEL_ATTENTION = 0.1;

    @Override
    public String id() {
        return "s-inhibition";
    }

    @Override
    public String description() {
        return "Attends from END to S2 and, through the name movers' queries only, moves their attention onto IO.";
    }

    @Override
    public HeadScores detect(DetectionContext context) {
        IoiMeasurements m = new IoiMeasurements(context);
        HeadScores.Builder b = HeadScores.builder(context.shape());
        m.settings(b);
        List<int[]> movers = m.nameMovers();
        b.setting("name_movers", movers.isEmpty() ? "none found, so there is no query path to test"
                : names(movers));
        b.setting("label_rule", "query-path effect >= " + LABEL_EFFECT + " and > key-path control;"
                + " attention END->S2 >= " + LABEL_ATTENTION);
        int lowest = movers.stream().mapToInt(x -> x[0]).max().orElse(0);
        Set<String> hooks = new HashSet<>();
        for (int[] nm : movers) {
            hooks.add(HookPoints.pattern(nm[0]));
            hooks.add(HookPoints.qInput(nm[0]));
            hooks.add(HookPoints.kInput(nm[0]));
        }
        ModelRun inputs = movers.isEmpty() ? null : context.run(m.tokens, hooks);
        for (int l = 0; l < context.shape().nLayers(); l++) {
            for (int h = 0; h < context.shape().nHeads(); h++) {
                double effect = 0;
                double control = 0;
                if (l < lowest) {
                    effect = pathEffect(context, m, movers, inputs, l, h, HookPoints::qInput);
                    control = pathEffect(context, m, movers, inputs, l, h, HookPoints::kInput);
                }
                b.score(l, h, effect, control);
                if (effect >= LABEL_EFFECT && effect > control && m.attnS2[l][h] >= LABEL_ATTENTION) {
                    b.label(l, h);
                }
                Map<String, Double> c = new LinkedHashMap<>(m.components(l, h));
                c.put("query_path_effect", effect);
                c.put("key_path_effect", control);
                b.evidence(l, h, new HeadEvidence(c, List.of(), Map.of()));
            }
        }
        return b.build();
    }

    static String names(List<int[]> heads) {
        List<String> n = new ArrayList<>();
        heads.forEach(x -> n.add("a" + x[0] + ".h" + x[1]));
        return String.join(" ", n);
    }

    /**
     * How far the later name movers' attention END->IO falls when only their {@code input} hook sees head (l, h)
     * mean-ablated, averaged over those name movers.
     */
    private static double pathEffect(DetectionContext context, IoiMeasurements m, List<int[]> movers, ModelRun inputs,
                                      int l, int h, IntFunction<String> input) {
        Tensor result = m.clean.activation(HookPoints.result(l));
        Tensor mean = IoiMeasurements.meanOverBatch(result);
        List<HookPatch> patches = new ArrayList<>();
        List<int[]> later = movers.stream().filter(x -> x[0] > l).toList();
        Set<String> hooks = new HashSet<>();
        for (int[] nm : later) {
            Tensor clean = inputs.activation(input.apply(nm[0]));
            float[] v = clean.data().clone();
            int batch = clean.dim(0);
            int pos = clean.dim(1);
            int d = clean.dim(3);
            for (int b = 0; b < batch; b++) {
                for (int p = 0; p < pos; p++) {
                    int to = clean.index(b, p, nm[1], 0);
                    int from = result.index(b, p, h, 0);
                    for (int j = 0; j < d; j++) {
                        v[to + j] += mean.data()[from + j] - result.data()[from + j];
                    }
                }
            }
            patches.add(HookPatch.replaceHead(input.apply(nm[0]), nm[1], new Tensor(clean.shape(), v)));
            hooks.add(HookPoints.pattern(nm[0]));
        }
        ModelRun patched = context.run(m.tokens, hooks, patches);
        double drop = 0;
        for (int[] nm : later) {
            Tensor pattern = patched.pattern(nm[0]);
            double after = 0;
            for (int b = 0; b < m.tokens.length; b++) {
                IoiProbe p = m.prompts.get(b);
                after += pattern.get(b, nm[1], p.endPos(), p.ioPos()) / m.tokens.length;
            }
            drop += (m.attnIo[nm[0]][nm[1]] - after) / later.size();
        }
        return drop;
    }
}
