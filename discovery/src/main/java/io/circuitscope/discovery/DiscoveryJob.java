package io.circuitscope.discovery;

import io.circuitscope.core.analysis.HostTaskContext;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.discovery.eval.EdgeRanking;
import io.circuitscope.discovery.eval.ReferenceComparison;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.io.CircuitJson;
import io.circuitscope.discovery.method.CircuitDiscovery;
import io.circuitscope.discovery.method.DiscoveryProgress;
import io.circuitscope.discovery.method.DiscoveryResult;
import io.circuitscope.discovery.method.DiscoverySettings;
import io.circuitscope.discovery.patching.EdgePatcher;
import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.TaskExample;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One discovery run on a loaded model: the task's examples, the method, the evaluation and any comparison. */
public final class DiscoveryJob {
    private DiscoveryJob() {
    }

    /** The computation graph of a loaded model. */
    public static ComputationGraph graphOf(LoadedModel model) {
        var c = model.config();
        return new ComputationGraph(c.nLayers(), c.nHeads(), c.hasMlp(), c.hasMlp() && c.parallel(), c.dModel());
    }

    /** The task's examples for a model, drawn from the seed, so the same seed draws the same examples. */
    public static List<TaskExample> examples(LoadedModel model, CircuitTask task, long seed, int count,
                                             Map<String, String> taskOptions) {
        return task.examples(new HostTaskContext(model, seed, task.id(), count, taskOptions));
    }

    /** Discovers the circuit of examples already drawn, for a caller that also shows them. */
    public static DiscoveryResult run(HookedTransformer engine, ComputationGraph graph, String taskId,
                                      List<TaskExample> examples, DiscoverySettings settings,
                                      DiscoveryProgress progress) {
        try (EdgePatcher patcher = new EdgePatcher(engine, graph, examples, settings.metric(), settings.ablation())) {
            return new CircuitDiscovery(patcher, progress).run(settings, taskId, examples.size());
        }
    }

    /**
     * Draws the task's examples (seeded), discovers the circuit and, when {@code reference} is given, compares it
     * with that circuit file.
     *
     * @throws IllegalArgumentException if the reference circuit's graph is not this model's
     */
    public static DiscoveryResult run(LoadedModel model, HookedTransformer engine, CircuitTask task,
                                      DiscoverySettings settings, long seed, int exampleCount,
                                      Map<String, String> taskOptions, Path reference, DiscoveryProgress progress) {
        ComputationGraph graph = graphOf(model);
        CircuitJson.Circuit ref = reference == null ? null : CircuitJson.read(reference);
        if (ref != null && (ref.graph().edgeCount() != graph.edgeCount() || ref.graph().nLayers() != graph.nLayers()
                || ref.graph().nHeads() != graph.nHeads())) {
            throw new IllegalArgumentException("reference " + reference + " is a circuit of a " + ref.graph().nLayers()
                    + "-layer, " + ref.graph().nHeads() + "-head graph of " + ref.graph().edgeCount()
                    + " edges; this model's graph has " + graph.edgeCount());
        }
        List<TaskExample> examples = examples(model, task, seed, exampleCount, taskOptions);
        DiscoveryResult result = run(engine, graph, task.id(), examples, settings, progress);
        if (ref != null) {
            // In-circuit edges outrank the rest; within each group, equal scores keep equal keys, so ties count
            // half in the ROC AUC rather than being broken by edge numbering.
            double[] key = new double[graph.edgeCount()];
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int e = 0; e < key.length; e++) {
                key[e] = EdgeRanking.key(result.scores()[e], settings.absoluteRanking());
                lo = Math.min(lo, key[e]);
                hi = Math.max(hi, key[e]);
            }
            double lift = hi - lo + 1;
            for (int e = result.circuit().nextSetBit(0); e >= 0; e = result.circuit().nextSetBit(e + 1)) {
                key[e] += lift;
            }
            result = result.withReference(ReferenceComparison.of(key, result.circuit(), ref.inGraph(),
                    graph.edgeCount()));
        }
        return result;
    }
}
