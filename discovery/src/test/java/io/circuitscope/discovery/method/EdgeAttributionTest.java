package io.circuitscope.discovery.method;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.patching.Ablation;
import io.circuitscope.discovery.patching.EdgePatcher;
import io.circuitscope.discovery.patching.MetricKind;
import io.circuitscope.spi.TaskExample;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EdgeAttributionTest {
    static double pearson(double[] a, double[] b) {
        double ma = java.util.Arrays.stream(a).average().orElse(0);
        double mb = java.util.Arrays.stream(b).average().orElse(0);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    @Test
    void attributionTracksExactEffectsAndIntegratedGradientsTrackThemAtLeastAsWell() {
        ModelConfig c = new ModelConfig(2, 16, 2, 8, 32, 24, 12, "gelu_new", "LN", false, "standard", 1e-5, 0, "r");
        ComputationGraph g = new ComputationGraph(2, 2, true, false, 16);
        var weights = RandomWeights.dense(c, 5, 0.5);
        List<TaskExample> ex = AcdcTest.induction(new LoadedModel("r", weights, Optional.empty(), Optional.empty()),
                2, 8).stream().map(e -> e).toList();
        try (HookedTransformer engine = HookedTransformer.load(weights);
             EdgePatcher patcher = new EdgePatcher(engine, g, ex, MetricKind.LOGIT_DIFF, Ablation.RESAMPLE)) {
            double full = patcher.evaluate(g.allEdges());
            List<int[]> singles = new ArrayList<>();
            for (int e = 0; e < g.edgeCount(); e++) {
                singles.add(new int[] {e});
            }
            double[] exact = patcher.evaluate(g.allEdges(), singles);
            for (int e = 0; e < exact.length; e++) {
                exact[e] -= full;
            }
            double eap = pearson(patcher.attributionScores(0), exact);
            double ig = pearson(patcher.attributionScores(10), exact);
            assertTrue(eap > 0.6, "EAP vs exact r = " + eap);
            assertTrue(ig >= eap - 0.02, "EAP-IG r = " + ig + ", EAP r = " + eap);
        }
    }

    @Test
    void attributionOfTheEmptyDifferenceIsZero() {
        ModelConfig c = new ModelConfig(1, 8, 2, 4, null, 12, 8, null, "LN", true, "standard", 1e-5, 0, "r");
        ComputationGraph g = new ComputationGraph(1, 2, false, false, 8);
        var weights = RandomWeights.dense(c, 3, 0.5);
        List<TaskExample> same = List.of(new TaskExample(new int[] {0, 3, 4, 5}, new int[] {0, 3, 4, 5},
                new int[] {3}, new int[] {1}, new int[] {2}));
        try (HookedTransformer engine = HookedTransformer.load(weights);
             EdgePatcher patcher = new EdgePatcher(engine, g, same, MetricKind.LOGIT_DIFF, Ablation.RESAMPLE)) {
            for (double s : patcher.attributionScores(3)) {
                assertTrue(Math.abs(s) < 1e-6, "score " + s);
            }
            assertTrue(Math.abs(patcher.evaluate(new BitSet()) - patcher.evaluate(g.allEdges())) < 1e-5);
        }
    }
}
