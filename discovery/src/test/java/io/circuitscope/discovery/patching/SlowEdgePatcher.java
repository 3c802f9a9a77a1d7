package io.circuitscope.discovery.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import io.circuitscope.core.engine.ActivationPatch;
import io.circuitscope.core.engine.ForwardResult;
import io.circuitscope.core.engine.HookNames;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.engine.RunOptions;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.graph.GraphEdge;
import io.circuitscope.discovery.graph.GraphNode;
import io.circuitscope.spi.TaskExample;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test oracle for {@link EdgePatcher}: one example at a time through the ordinary hooked forward pass, each
 * receiver's input rebuilt in a hook by looping over its edges one by one (ACDC's semantics written out), and the
 * metric computed in double precision on the heap.
 */
final class SlowEdgePatcher {
    private final HookedTransformer engine;
    private final ComputationGraph graph;
    private final List<TaskExample> examples;
    private final MetricKind metric;
    private final Ablation ablation;

    SlowEdgePatcher(HookedTransformer engine, ComputationGraph graph, List<TaskExample> examples, MetricKind metric,
                    Ablation ablation) {
        this.engine = engine;
        this.graph = graph;
        this.examples = examples;
        this.metric = metric;
        this.ablation = ablation;
    }

    double evaluate(BitSet circuit) {
        double total = 0;
        try (NDManager nd = engine.manager().newSubManager()) {
            for (TaskExample ex : examples) {
                Map<GraphNode, NDArray> clean = outputs(nd, ex.clean());
                Map<GraphNode, NDArray> ablated = ablated(nd, ex);
                float[] cleanLogits = logits(nd, ex.clean(), RunOptions.none());
                float[] patched = logits(nd, ex.clean(), patches(nd, circuit, ablated));
                total += value(ex, cleanLogits, patched) / examples.size();
                clean.values().forEach(NDArray::close);
            }
        }
        return total;
    }

    /** What an absent edge carries from each sender, for this example. */
    private Map<GraphNode, NDArray> ablated(NDManager nd, TaskExample ex) {
        return switch (ablation) {
            case RESAMPLE -> outputs(nd, ex.corrupted());
            case ZERO -> {
                Map<GraphNode, NDArray> zeros = new HashMap<>();
                outputs(nd, ex.clean()).forEach((k, v) -> zeros.put(k, v.zerosLike()));
                yield zeros;
            }
            case MEAN -> {
                Map<GraphNode, NDArray> sum = new HashMap<>();
                int count = 0;
                for (TaskExample other : examples) {
                    if (other.clean().length == ex.clean().length) {
                        count++;
                        outputs(nd, other.clean()).forEach((k, v) -> sum.merge(k, v, NDArray::add));
                    }
                }
                int c = count;
                sum.replaceAll((k, v) -> v.div(c));
                yield sum;
            }
        };
    }

    /** Every sender's output on one prompt, [1, pos, d_model]. */
    private Map<GraphNode, NDArray> outputs(NDManager nd, int[] tokens) {
        List<String> embeddings = HookNames.embeddings(engine.config());
        RunOptions.Builder b = RunOptions.builder().cache(embeddings.toArray(new String[0]));
        for (int l = 0; l < graph.nLayers(); l++) {
            b.cache(HookNames.result(l));
            if (graph.hasMlp()) {
                b.cache(HookNames.mlpOut(l));
            }
        }
        ForwardResult r = engine.run(nd, new int[][] {tokens}, b.build());
        Map<GraphNode, NDArray> out = new HashMap<>();
        out.put(graph.inputNode(), r.cache().sum(embeddings));
        for (int l = 0; l < graph.nLayers(); l++) {
            NDArray result = r.cache().get(HookNames.result(l));
            for (int h = 0; h < graph.nHeads(); h++) {
                out.put(GraphNode.head(l, h), result.get(":, :, " + h));
            }
            if (graph.hasMlp()) {
                out.put(GraphNode.mlp(l), r.cache().get(HookNames.mlpOut(l)));
            }
        }
        return out;
    }

    private RunOptions patches(NDManager nd, BitSet circuit, Map<GraphNode, NDArray> ablated) {
        Map<GraphNode, NDArray> current = new HashMap<>();
        RunOptions.Builder b = RunOptions.builder();
        // The input node's output is the sum of the embedding hooks, complete once the last of them fires.
        for (String embedding : HookNames.embeddings(engine.config())) {
            b.patch(embedding, a -> {
                current.merge(graph.inputNode(), a, NDArray::add);
                return a;
            });
        }
        for (int l = 0; l < graph.nLayers(); l++) {
            int layer = l;
            b.patch(HookNames.result(l), a -> {
                for (int h = 0; h < graph.nHeads(); h++) {
                    current.put(GraphNode.head(layer, h), a.get(":, :, " + h));
                }
                return a;
            });
            b.patch(HookNames.qInput(l), perHead(nd, circuit, ablated, current, layer, GraphEdge.Input.Q));
            b.patch(HookNames.kInput(l), perHead(nd, circuit, ablated, current, layer, GraphEdge.Input.K));
            b.patch(HookNames.vInput(l), perHead(nd, circuit, ablated, current, layer, GraphEdge.Input.V));
            if (graph.hasMlp()) {
                b.patch(HookNames.mlpOut(l), a -> {
                    current.put(GraphNode.mlp(layer), a);
                    return a;
                });
                b.patch(HookNames.mlpIn(l), a -> input(nd, circuit, ablated, current, GraphNode.mlp(layer),
                        GraphEdge.Input.NONE));
            }
        }
        b.patch(HookNames.residPost(graph.nLayers() - 1),
                a -> input(nd, circuit, ablated, current, graph.logitsNode(), GraphEdge.Input.NONE));
        return b.build();
    }

    private ActivationPatch perHead(NDManager nd, BitSet circuit, Map<GraphNode, NDArray> ablated,
                                    Map<GraphNode, NDArray> current, int layer, GraphEdge.Input which) {
        return a -> {
            List<NDArray> heads = new ArrayList<>();
            for (int h = 0; h < graph.nHeads(); h++) {
                heads.add(input(nd, circuit, ablated, current, GraphNode.head(layer, h), which));
            }
            return NDArrays.stack(new ai.djl.ndarray.NDList(heads), 2);
        };
    }

    /**
     * One receiver's input, edge by edge: its corrupted input (every earlier sender's ablated output plus the
     * attention output biases) plus (current − ablated) for each edge present.
     */
    private NDArray input(NDManager nd, BitSet circuit, Map<GraphNode, NDArray> ablated,
                          Map<GraphNode, NDArray> current, GraphNode receiver, GraphEdge.Input which) {
        NDArray sum = null;
        for (GraphEdge e : graph.dag().incomingEdgesOf(receiver)) {
            if (e.input() != which) {
                continue;
            }
            NDArray term = ablated.get(e.parent());
            if (circuit.get(e.index())) {
                term = term.add(current.get(e.parent()).sub(ablated.get(e.parent())));
            }
            sum = sum == null ? term : sum.add(term);
        }
        // A receiver reads the attention biases of every layer before it, and of its own layer when it is a
        // sequential MLP (or the logits); a parallel MLP reads its layer's input, before that layer's attention.
        boolean beforeOwnAttention = receiver.kind() == GraphNode.Kind.HEAD
                || receiver.kind() == GraphNode.Kind.MLP && graph.parallelAttnMlp();
        int biasLayers = beforeOwnAttention ? receiver.layer() : receiver.layer() + 1;
        for (int l = 0; l < Math.min(biasLayers, graph.nLayers()); l++) {
            sum = sum.add(engine.parameter(nd, "blocks." + l + ".attn.b_O"));
        }
        return sum;
    }

    private float[] logits(NDManager nd, int[] tokens, RunOptions options) {
        return engine.run(nd, new int[][] {tokens}, options).logits().toFloatArray();
    }

    /** The metric of one example from its clean and patched logits [pos × vocab], in double precision. */
    private double value(TaskExample ex, float[] clean, float[] patched) {
        int vocab = clean.length / ex.clean().length;
        double sum = 0;
        for (int j = 0; j < ex.positions().length; j++) {
            int off = ex.positions()[j] * vocab;
            if (metric == MetricKind.LOGIT_DIFF) {
                sum -= patched[off + ex.answers()[j]] - patched[off + ex.distractors()[j]];
            } else {
                double[] p = logSoftmax(clean, off, vocab);
                double[] q = logSoftmax(patched, off, vocab);
                for (int v = 0; v < vocab; v++) {
                    sum += Math.exp(p[v]) * (p[v] - q[v]);
                }
            }
        }
        return sum / ex.positions().length;
    }

    private static double[] logSoftmax(float[] z, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, z[off + i]);
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(z[off + i] - max);
        }
        double log = max + Math.log(s);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = z[off + i] - log;
        }
        return out;
    }
}
