package io.circuitscope.discovery.method;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.circuitscope.core.engine.HookNames;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.engine.RunOptions;
import io.circuitscope.discovery.graph.GraphEdge;
import io.circuitscope.discovery.graph.GraphNode;
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

    /**
     * The oracle for the attribution's hand-written ln1 backward pass: autograd over per-head input copies (the
     * split q/k/v path), one dot product per edge on the heap.
     */
    static double[] splitPathEap(HookedTransformer engine, ComputationGraph g, int[][] clean, int[][] corrupted,
                                 int position, int[] answers, int[] distractors) {
        try (NDManager nd = engine.manager().newSubManager()) {
            RunOptions.Builder cache = RunOptions.builder().cache(HookNames.embeddings(engine.config())
                    .toArray(new String[0]));
            RunOptions.Builder grad = RunOptions.builder().gradient(HookNames.residPost(g.nLayers() - 1));
            for (int l = 0; l < g.nLayers(); l++) {
                cache.cache(HookNames.result(l), HookNames.mlpOut(l));
                grad.gradient(HookNames.qInput(l), HookNames.kInput(l), HookNames.vInput(l), HookNames.mlpIn(l));
            }
            var c = engine.run(nd, clean, cache.build()).cache();
            var k = engine.run(nd, corrupted, cache.build()).cache();
            int n = clean.length;
            var grads = engine.gradients(nd, clean, grad.build(), logits -> {
                NDArray sum = null;
                for (int b = 0; b < n; b++) {
                    NDArray d = logits.get(b, position, distractors[b]).sub(logits.get(b, position, answers[b]));
                    sum = sum == null ? d : sum.add(d);
                }
                return sum.div(n).reshape(1);
            });
            double[] out = new double[g.edgeCount()];
            for (GraphEdge e : g.edges()) {
                List<String> embeddings = HookNames.embeddings(engine.config());
                float[] diff = sender(k, e.parent(), embeddings).sub(sender(c, e.parent(), embeddings))
                        .toFloatArray();
                float[] gr = switch (e.child().kind()) {
                    case HEAD -> grads.gradient(switch (e.input()) {
                        case Q -> HookNames.qInput(e.child().layer());
                        case K -> HookNames.kInput(e.child().layer());
                        default -> HookNames.vInput(e.child().layer());
                    }).get(":, :, " + e.child().head()).toFloatArray();
                    case MLP -> grads.gradient(HookNames.mlpIn(e.child().layer())).toFloatArray();
                    default -> grads.gradient(HookNames.residPost(g.nLayers() - 1)).toFloatArray();
                };
                double dot = 0;
                for (int i = 0; i < diff.length; i++) {
                    dot += (double) diff[i] * gr[i];
                }
                out[e.index()] = dot;
            }
            return out;
        }
    }

    private static NDArray sender(io.circuitscope.core.engine.ActivationCache cache, GraphNode node,
                                  List<String> embeddings) {
        return switch (node.kind()) {
            case INPUT -> cache.sum(embeddings);
            case HEAD -> cache.get(HookNames.result(node.layer())).get(":, :, " + node.head());
            default -> cache.get(HookNames.mlpOut(node.layer()));
        };
    }

    /**
     * LayerNorm and LNPre; RMSNorm with rotary keys and a gated MLP (the hand-written backward pass without
     * centring); RMSPre with parallel blocks; and grouped-query attention, which the patcher differentiates at the
     * split inputs themselves.
     */
    static java.util.stream.Stream<ModelConfig> attributionConfigs() {
        return java.util.stream.Stream.of(
                new ModelConfig(2, 16, 2, 8, 32, 24, 12, "gelu_new", "LN", false, "standard", 1e-5, 0, "ln"),
                new ModelConfig(2, 16, 2, 8, 32, 24, 12, "gelu_new", "LNPre", false, "standard", 1e-5, 0, "lnpre"),
                new ModelConfig(2, 16, 2, 8, 32, 24, 12, "silu", "RMS", false, "rotary", 1e-6, 0, "rms", null, null,
                        10000.0, null, true, null, null, null, null, null, null),
                new ModelConfig(2, 16, 2, 8, 32, 24, 12, "gelu", "RMSPre", false, "rotary", 1e-6, 0, "parallel", null,
                        4, 10000.0, true, null, null, null, null, null, null, null),
                new ModelConfig(2, 16, 4, 4, 32, 24, 12, "silu", "RMS", false, "rotary", 1e-6, 0, "gqa", 2, null,
                        10000.0, null, true, 5, null, null, null, null, null));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("attributionConfigs")
    void eapEqualsAutogradOverPerHeadInputCopies(ModelConfig c) {
        String norm = c.modelName();
        {
            ComputationGraph g = new ComputationGraph(2, c.nHeads(), true, c.parallel(), 16);
            var weights = RandomWeights.dense(c, 8, 0.5);
            java.util.SplittableRandom r = new java.util.SplittableRandom(4);
            List<TaskExample> ex = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ex.add(new TaskExample(r.ints(7, 0, 24).toArray(), r.ints(7, 0, 24).toArray(), new int[] {6},
                        new int[] {r.nextInt(24)}, new int[] {r.nextInt(24)}));
            }
            try (HookedTransformer engine = HookedTransformer.load(weights);
                 EdgePatcher patcher = new EdgePatcher(engine, g, ex, MetricKind.LOGIT_DIFF, Ablation.RESAMPLE)) {
                double[] expected = splitPathEap(engine, g,
                        ex.stream().map(TaskExample::clean).toArray(int[][]::new),
                        ex.stream().map(TaskExample::corrupted).toArray(int[][]::new), 6,
                        ex.stream().mapToInt(e -> e.answers()[0]).toArray(),
                        ex.stream().mapToInt(e -> e.distractors()[0]).toArray());
                double[] got = patcher.attributionScores(0);
                for (int e = 0; e < expected.length; e++) {
                    org.junit.jupiter.api.Assertions.assertEquals(expected[e], got[e],
                            1e-4 * (1 + Math.abs(expected[e])), norm + " " + g.edges().get(e).name());
                }
            }
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
