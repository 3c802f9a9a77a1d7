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
import org.pf4j.Extension;

/**
 * S-inhibition heads (Wang et al. 2022): heads that attend from END to S2 and steer the name movers' queries toward IO.
 * The score is a path-patching effect: each later name mover's query input gets the head's output mean-ablated (its
 * clean output subtracted, its mean over the prompts added), every other query and key input of the name movers is
 * held at its clean value, and the score is how far the later name movers' mean attention from END to IO falls. The
 * control is the same patch on their key inputs.
 */
@Extension(ordinal = 6)
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
        List<int[]> movers = m.nameMovers();
        HeadScores.Builder b = m.resultWithMovers(movers, "none found, so there is no query path to test");
        b.setting("label_rule", "query-path effect >= " + LABEL_EFFECT + " and > key-path control;"
                + " attention END->S2 >= " + LABEL_ATTENTION);
        int lastMoverLayer = movers.stream().mapToInt(x -> x[0]).max().orElse(0);
        Map<Integer, Tensor> means = new java.util.HashMap<>();
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
                if (l < lastMoverLayer) {
                    effect = pathEffect(context, m, movers, inputs, l, h, true, means);
                    control = pathEffect(context, m, movers, inputs, l, h, false, means);
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

    /**
     * How far the later name movers' attention END->IO falls when only their query inputs (or, for the control, only
     * their key inputs) see head (l, h) mean-ablated. Every other query and key input of every name mover is pinned
     * to its clean value, so a changed earlier mover cannot reach a later one through the residual stream.
     */
    private static double pathEffect(DetectionContext context, IoiMeasurements m, List<int[]> movers, ModelRun inputs,
                                     int l, int h, boolean queryPath, Map<Integer, Tensor> means) {
        Tensor result = m.clean.activation(HookPoints.result(l));
        Tensor mean = means.computeIfAbsent(l, x -> IoiMeasurements.meanOverBatch(result));
        List<HookPatch> patches = new ArrayList<>();
        List<int[]> later = movers.stream().filter(x -> x[0] > l).toList();
        Set<String> hooks = new HashSet<>();
        for (int[] nm : movers) {
            boolean tested = nm[0] > l;
            Tensor q = inputs.activation(HookPoints.qInput(nm[0]));
            Tensor k = inputs.activation(HookPoints.kInput(nm[0]));
            patches.add(HookPatch.replaceHead(HookPoints.qInput(nm[0]), nm[1],
                    tested && queryPath ? withoutHead(q, nm[1], result, mean, h) : q));
            patches.add(HookPatch.replaceHead(HookPoints.kInput(nm[0]), nm[1],
                    tested && !queryPath ? withoutHead(k, nm[1], result, mean, h) : k));
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

    /** A mover's clean input with head h's clean output replaced by its mean: input - result_h + mean_h. */
    private static Tensor withoutHead(Tensor clean, int moverHead, Tensor result, Tensor mean, int h) {
        float[] v = clean.data().clone();
        int d = clean.dim(3);
        for (int b = 0; b < clean.dim(0); b++) {
            for (int p = 0; p < clean.dim(1); p++) {
                int to = clean.index(b, p, moverHead, 0);
                int from = result.index(b, p, h, 0);
                for (int j = 0; j < d; j++) {
                    v[to + j] += mean.data()[from + j] - result.data()[from + j];
                }
            }
        }
        return new Tensor(clean.shape(), v);
    }
}
