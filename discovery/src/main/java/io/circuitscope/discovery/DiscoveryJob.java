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
        return new ComputationGraph(c.nLayers(), c.nHeads(), c.hasMlp(), false, c.dModel());
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
        List<TaskExample> examples = task.examples(new HostTaskContext(model, seed, task.id(), exampleCount,
                taskOptions));
        DiscoveryResult result;
        try (EdgePatcher patcher = new EdgePatcher(engine, graph, examples, settings.metric(), settings.ablation())) {
            result = new CircuitDiscovery(patcher, progress).run(settings, task.id(), examples.size());
        }
        if (ref != null) {
            // A circuit's in-graph edges outrank the rest, then scores order each group.
            double[] ranking = new double[graph.edgeCount()];
            int[] order = new EdgeRanking(result.scores(), settings.absoluteRanking()).order();
            for (int i = 0; i < order.length; i++) {
                ranking[order[i]] = order.length - i;
            }
            for (int e = result.circuit().nextSetBit(0); e >= 0; e = result.circuit().nextSetBit(e + 1)) {
                ranking[e] += graph.edgeCount();
            }
            result = result.withReference(ReferenceComparison.of(ranking, result.circuit(), ref.inGraph(),
                    graph.edgeCount()));
        }
        return result;
    }
}
