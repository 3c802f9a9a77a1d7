package io.circuitscope.detectors;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadEvidence;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.ModelRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pf4j.Extension;

/**
 * Backup name movers (Wang et al. 2022): heads that are not primary name movers but copy names and whose direct effect
 * on IO - S grows when the primary name movers are mean-ablated. The score is that growth, as a share of the clean
 * logit difference (the final norm's scale frozen at its clean value); the control is the growth when as many random
 * heads, not name movers, are mean-ablated instead.
 */
@Extension(ordinal = 7)
public final class BackupNameMoverDetector implements HeadDetector {
    /** A head is labelled when its direct effect grows by at least this share... */
    static final double LABEL_GROWTH = 0.05;
    /** ...more than under the random-ablation control by this margin, and its OV circuit copies names. */
    static final double LABEL_MARGIN = 0.02;

    @Override
    public String id() {
        return "backup-name-mover";
    }

    @Override
    public String description() {
        return "Copies names and takes over: its direct effect on IO - S grows when the name movers are ablated.";
    }

    @Override
    public HeadScores detect(DetectionContext context) {
        IoiMeasurements m = new IoiMeasurements(context);
        List<int[]> movers = m.nameMovers();
        HeadScores.Builder b = m.resultWithMovers(movers, "none found, so there is nothing to ablate");
        b.setting("label_rule", "not a name mover; OV copy z on names > 0; growth >= " + LABEL_GROWTH
                + " and >= control + " + LABEL_MARGIN);
        double[][] growth = growth(context, m, movers);
        List<int[]> random = randomOthers(context, movers);
        b.setting("control_heads", movers.isEmpty() ? "none" : IoiMeasurements.names(random));
        double[][] control = growth(context, m, random);
        for (int l = 0; l < context.shape().nLayers(); l++) {
            for (int h = 0; h < context.shape().nHeads(); h++) {
                b.score(l, h, growth[l][h], control[l][h]);
                if (!movers.isEmpty() && !m.isMover(l, h, false) && m.copyZ[l][h] > 0
                        && growth[l][h] >= LABEL_GROWTH && growth[l][h] >= control[l][h] + LABEL_MARGIN) {
                    b.label(l, h);
                }
                Map<String, Double> c = new LinkedHashMap<>(m.components(l, h));
                c.put("effect_growth_when_movers_ablated", growth[l][h]);
                c.put("effect_growth_when_random_ablated", control[l][h]);
                b.evidence(l, h, new HeadEvidence(c, List.of(), Map.of()));
            }
        }
        return b.build();
    }

    /** Each head's direct-effect share with {@code ablated} mean-ablated, minus its clean share (0 for no heads). */
    private static double[][] growth(DetectionContext context, IoiMeasurements m, List<int[]> ablated) {
        double[][] out = new double[context.shape().nLayers()][context.shape().nHeads()];
        if (ablated.isEmpty()) {
            return out;
        }
        ModelRun run = context.run(m.tokens, IoiMeasurements.hooks(context.shape(), false, false), m.meanAblation(ablated));
        double[][] after = m.effects(run, false);
        for (int l = 0; l < out.length; l++) {
            for (int h = 0; h < out[l].length; h++) {
                out[l][h] = after[l][h] - m.effect[l][h];
            }
        }
        return out;
    }

    /** As many heads as there are movers, drawn from the heads that are not movers, in a seeded order. */
    private static List<int[]> randomOthers(DetectionContext context, List<int[]> movers) {
        List<int[]> others = new ArrayList<>();
        for (int l = 0; l < context.shape().nLayers(); l++) {
            for (int h = 0; h < context.shape().nHeads(); h++) {
                final int layer = l;
                final int head = h;
                if (movers.stream().noneMatch(x -> x[0] == layer && x[1] == head)) {
                    others.add(new int[] {l, h});
                }
            }
        }
        SplittableRandom rng = new SplittableRandom(context.seed());
        for (int i = others.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int[] t = others.get(i);
            others.set(i, others.get(j));
            others.set(j, t);
        }
        List<int[]> chosen = new ArrayList<>(others.subList(0, Math.min(movers.size(), others.size())));
        chosen.sort(java.util.Comparator.<int[]>comparingInt(x -> x[0]).thenComparingInt(x -> x[1]));
        return chosen;
    }
}
