package io.circuitscope.discovery.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.analysis.HostTaskContext;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.graph.GraphEdge;
import io.circuitscope.discovery.graph.GraphNode;
import io.circuitscope.discovery.patching.Ablation;
import io.circuitscope.discovery.patching.EdgePatcher;
import io.circuitscope.discovery.patching.MetricKind;
import io.circuitscope.discovery.task.InductionCircuitTask;
import io.circuitscope.spi.TaskExample;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class AcdcTest {
    /** ACDC written as the paper's loop: one edge at a time, each trial a fresh evaluation of one circuit. */
    static BitSet sequentialAcdc(ComputationGraph g, ToDoubleFunction<BitSet> metric, double tau) {
        BitSet current = g.allEdges();
        double m = metric.applyAsDouble(current);
        List<GraphNode> receivers = new ArrayList<>(g.nodes());
        java.util.Collections.reverse(receivers);
        for (GraphNode node : receivers) {
            if (node.kind() == GraphNode.Kind.INPUT) {
                continue;
            }
            GraphEdge.Input[] inputs = node.kind() == GraphNode.Kind.HEAD
                    ? new GraphEdge.Input[] {GraphEdge.Input.V, GraphEdge.Input.K, GraphEdge.Input.Q}
                    : new GraphEdge.Input[] {GraphEdge.Input.NONE};
            boolean feeds = node.kind() == GraphNode.Kind.LOGITS || g.dag().outgoingEdgesOf(node).stream()
                    .anyMatch(e -> current.get(e.index()));
            for (GraphEdge.Input in : inputs) {
                List<GraphEdge> parents = new ArrayList<>(g.dag().incomingEdgesOf(node).stream()
                        .filter(e -> e.input() == in && current.get(e.index())).toList());
                parents.sort((a, b) -> Integer.compare(b.index(), a.index()));
                for (GraphEdge e : parents) {
                    current.clear(e.index());
                    if (!feeds) {
                        continue;
                    }
                    double trial = metric.applyAsDouble(current);
                    if (trial - m < tau) {
                        m = trial;
                    } else {
                        current.set(e.index());
                    }
                }
            }
        }
        return g.prune(current);
    }

    static List<TaskExample> induction(LoadedModel model, long seed, int count) {
        return new InductionCircuitTask().examples(new HostTaskContext(model, seed, "induction", count, Map.of()));
    }

    @Test
    void batchedSpeculativeAcdcEqualsTheSequentialLoop() {
        ModelConfig c = new ModelConfig(2, 12, 3, 4, null, 20, 10, null, "LN", true, "standard", 1e-5, 0, "r");
        ComputationGraph g = new ComputationGraph(2, 3, false, false, 12);
        var weights = RandomWeights.dense(c, 21, 0.8);
        LoadedModel model = new LoadedModel("random", weights, Optional.empty(), Optional.empty());
        List<TaskExample> ex = induction(model, 3, 6);
        try (HookedTransformer engine = HookedTransformer.load(weights);
             EdgePatcher batched = new EdgePatcher(engine, g, ex, MetricKind.KL, Ablation.RESAMPLE);
             EdgePatcher single = new EdgePatcher(engine, g, ex, MetricKind.KL, Ablation.RESAMPLE)) {
            double range = Math.abs(single.evaluate(new BitSet()) - single.evaluate(g.allEdges()));
            for (double tau : new double[] {0.002 * range, 0.02 * range}) {
                BitSet expected = sequentialAcdc(g, single::evaluate, tau);
                Acdc.Outcome got = new Acdc(batched, tau, false, DiscoveryProgress.NONE).run(g.allEdges());
                assertEquals(expected, got.circuit(), "tau " + tau);
                assertTrue(got.passes() < g.edgeCount(), got.passes() + " passes");
            }
        }
    }

    @Test
    void keepsThePlantedCircuitAndDropsTheDecoys() {
        var weights = PlantedInductionModel.build();
        LoadedModel model = new LoadedModel("planted", weights, Optional.empty(), Optional.empty());
        ComputationGraph g = new ComputationGraph(2, 4, false, false, PlantedInductionModel.D);
        try (HookedTransformer engine = HookedTransformer.load(weights);
             EdgePatcher patcher = new EdgePatcher(engine, g, induction(model, 5, 12), MetricKind.KL,
                     Ablation.RESAMPLE)) {
            DiscoveryResult r = new CircuitDiscovery(patcher, DiscoveryProgress.NONE)
                    .run(DiscoverySettings.defaults(DiscoveryMethod.ACDC, MetricKind.KL), "induction", 12);
            // The positional query and key of a0.h0 are the same in both runs, so patching cannot see them.
            for (String planted : List.of("input->a0.h0<v>", "a0.h0->a1.h0<k>", "input->a1.h0<q>",
                    "input->a1.h0<v>", "a1.h0->logits")) {
                assertTrue(r.circuit().get(g.edge(planted).index()), planted + " missing from " + names(g, r));
            }
            for (GraphNode n : g.nodesOf(r.circuit())) {
                assertTrue(n.kind() != GraphNode.Kind.HEAD || n.head() == 0, "decoy " + n + " in " + names(g, r));
            }
            assertTrue(r.circuit().cardinality() <= 0.1 * g.edgeCount(), names(g, r).toString());
            assertTrue(r.faithfulness() > 0.9, "faithfulness " + r.faithfulness());
        }
    }

    static List<String> names(ComputationGraph g, DiscoveryResult r) {
        return r.circuit().stream().mapToObj(i -> g.edges().get(i).name()).toList();
    }

    @Test
    void toyInductionCircuitIsSmallFaithfulAndKeepsThePreviousTokenKEdges() {
        LoadedModel model = ModelSource.load("zoo:toy-induction");
        ComputationGraph g = new ComputationGraph(2, 4, false, false, 128);
        try (HookedTransformer engine = HookedTransformer.load(model.parameters());
             EdgePatcher patcher = new EdgePatcher(engine, g, induction(model, 1, 16), MetricKind.KL,
                     Ablation.RESAMPLE)) {
            DiscoveryResult r = new CircuitDiscovery(patcher, DiscoveryProgress.NONE)
                    .run(DiscoverySettings.defaults(DiscoveryMethod.ACDC, MetricKind.KL), "induction", 16);
            assertTrue(r.faithfulness() >= 0.9, "faithfulness " + r.faithfulness());
            assertTrue(r.circuit().cardinality() <= g.edgeCount() / 3, names(g, r).toString());
            int kept = 0;
            for (int h = 0; h < 4; h++) {
                if (r.circuit().get(g.edge("a1.h" + h + "->logits").index())) {
                    kept++;
                    // a0.h1 is toy-induction's previous-token head (the detectors' tests establish it).
                    assertTrue(r.circuit().get(g.edge("a0.h1->a1.h" + h + "<k>").index()), names(g, r).toString());
                }
            }
            assertTrue(kept >= 1, names(g, r).toString());
            assertTrue(r.curve().cpr() > 0.5 && r.curve().cmd() < 0.5, r.curve().toString());
        }
    }

    @Test
    void randomCircuitsOfTheSameSeedAreTheSame() {
        LoadedModel model = ModelSource.load("zoo:toy-induction");
        assertEquals(induction(model, 9, 3), induction(model, 9, 3));
        SplittableRandom r = new SplittableRandom(1);
        assertTrue(!induction(model, 9, 3).equals(induction(model, 10 + r.nextInt(5), 3)));
    }
}
