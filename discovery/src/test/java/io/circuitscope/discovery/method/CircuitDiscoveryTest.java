package io.circuitscope.discovery.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.discovery.eval.EdgeRanking;
import io.circuitscope.discovery.eval.FaithfulnessCurve;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.patching.Ablation;
import io.circuitscope.discovery.patching.EdgePatcher;
import io.circuitscope.discovery.patching.MetricKind;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class CircuitDiscoveryTest {
    static final LoadedModel MODEL = ModelSource.load("zoo:toy-induction");
    static final ComputationGraph GRAPH = new ComputationGraph(2, 4, false, false, 128);

    @Test
    void scoreMethodsKeepTheSmallestTopNReachingTheTargetOrEveryEdgeAboveTheThreshold() {
        try (HookedTransformer engine = HookedTransformer.load(MODEL.parameters());
             EdgePatcher patcher = new EdgePatcher(engine, GRAPH, AcdcTest.induction(MODEL, 2, 8), MetricKind.KL,
                     Ablation.RESAMPLE)) {
            List<String> phases = new ArrayList<>();
            CircuitDiscovery discovery = new CircuitDiscovery(patcher, (phase, done, total, m) -> {
                if (!phases.contains(phase)) {
                    phases.add(phase);
                }
            });
            DiscoveryResult exact = discovery.run(DiscoverySettings.defaults(DiscoveryMethod.EXACT, MetricKind.KL),
                    "induction", 8);
            assertEquals(List.of("exact", "faithfulness curve"), phases);
            assertTrue(exact.faithfulness() >= 0.9, "f = " + exact.faithfulness());
            // One edge fewer, in ranking order and pruned, falls short of the target.
            int n = exact.circuit().cardinality();
            EdgeRanking ranking = new EdgeRanking(exact.scores(), true);
            int size = 1;
            while (!GRAPH.prune(ranking.top(size)).equals(exact.circuit())) {
                size++;
            }
            BitSet smaller = GRAPH.prune(ranking.top(size - 1));
            double f = FaithfulnessCurve.faithfulness(patcher.evaluate(smaller), exact.metricEmpty(),
                    exact.metricFull());
            assertTrue(f < 0.9, "top " + (size - 1) + " already reaches " + f);
            assertTrue(Double.isNaN(exact.threshold()));
            assertEquals(0.0, exact.metricFull(), 1e-5);
            assertTrue(n > 0 && n < GRAPH.edgeCount());
            for (int e = 0; e < GRAPH.edgeCount(); e++) {
                // Each exact score is that edge's own effect on the full model.
                BitSet without = GRAPH.allEdges();
                without.clear(e);
                if (e % 20 == 0) {
                    assertEquals(patcher.evaluate(without) - exact.metricFull(), exact.scores()[e], 1e-4);
                }
            }

            double tau = Math.abs(exact.scores()[ranking.order()[3]]);
            DiscoveryResult thresholded = discovery.run(new DiscoverySettings(DiscoveryMethod.EXACT, MetricKind.KL,
                    Ablation.RESAMPLE, tau, false, true, 5, 2000, 0.9), "induction", 8);
            BitSet expected = new BitSet();
            for (int e = 0; e < GRAPH.edgeCount(); e++) {
                if (Math.abs(exact.scores()[e]) >= tau) {
                    expected.set(e);
                }
            }
            assertEquals(GRAPH.prune(expected), thresholded.circuit());
            assertEquals(tau, thresholded.threshold(), 0.0);
            assertEquals(10, thresholded.curve().points().size());
            assertEquals(GRAPH.edgeCount(), thresholded.curve().points().get(9).edges());
            assertEquals(1.0, thresholded.curve().points().get(9).faithfulness(), 1e-6);
        }
    }

    @Test
    void settingsAndNamesAreCheckedWithMessagesThatNameTheChoices() {
        assertThrows(IllegalArgumentException.class, () -> new DiscoverySettings(DiscoveryMethod.ACDC, MetricKind.KL,
                Ablation.RESAMPLE, null, false, true, 0, 1, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new DiscoverySettings(DiscoveryMethod.ACDC, MetricKind.KL,
                Ablation.RESAMPLE, null, false, true, 1, 0, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new DiscoverySettings(DiscoveryMethod.ACDC, MetricKind.KL,
                Ablation.RESAMPLE, null, false, true, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new DiscoverySettings(DiscoveryMethod.ACDC, MetricKind.KL,
                Ablation.RESAMPLE, Double.NaN, false, true, 1, 1, 0.9));
        new DiscoverySettings(DiscoveryMethod.ACDC, MetricKind.KL, Ablation.RESAMPLE, 0.0, false, true, 1, 1, 1.5);
        for (DiscoveryMethod m : DiscoveryMethod.values()) {
            assertEquals(m, DiscoveryMethod.parse(m.id()));
        }
        assertEquals("eap+acdc", DiscoveryMethod.EAP_ACDC.id());
        assertEquals(MetricKind.LOGIT_DIFF, MetricKind.parse("logit-diff"));
        assertEquals(Ablation.MEAN, Ablation.parse("mean"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricKind.parse("loss")).getMessage()
                .contains("kl or logit-diff"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ablation.parse("noise")).getMessage()
                .contains("resample, zero or mean"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DiscoveryMethod.parse("magic")).getMessage()
                .contains("eap-ig"));
    }
}
