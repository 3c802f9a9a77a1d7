package io.circuitscope.discovery.bench;

import io.circuitscope.core.analysis.HostTaskContext;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.discovery.DiscoveryJob;
import io.circuitscope.discovery.eval.EdgeRanking;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.method.Acdc;
import io.circuitscope.discovery.method.DiscoveryProgress;
import io.circuitscope.discovery.patching.Ablation;
import io.circuitscope.discovery.patching.EdgePatcher;
import io.circuitscope.discovery.patching.MetricKind;
import io.circuitscope.discovery.task.InductionCircuitTask;
import io.circuitscope.spi.TaskExample;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Times discovery in forward-pass equivalents: wall time divided by one plain forward pass of the same clean batch,
 * measured in the same run, so that the figures hold across machines.
 */
public final class DiscoveryBenchmark {
    /**
     * What one benchmark run measured; costs are in forward-pass equivalents.
     *
     * @param eapSeconds the patcher's setup (clean and corrupted passes, shared by every method) plus EAP's
     *     gradient pass
     * @param eapGradientCost the gradient pass alone (one forward and one backward pass)
     */
    public record Result(String model, int edges, int examples, int tokens, double forwardSeconds,
                         double eapSeconds, double eapCost, double eapGradientCost, double acdcSeconds,
                         double acdcCost, int acdcEdgesTested, int circuitEdges, int acdcPasses) {
    }

    private static final int SMALL_GRAPH = 5000;
    private static final int REPEATS = 5;

    private DiscoveryBenchmark() {
    }

    /**
     * EAP over every edge (setup: the clean and corrupted sender outputs, then one backward pass), then ACDC over the
     * top {@code topK} edges by |EAP score| (all edges when topK ≥ the edge count) on the induction task.
     */
    public static Result run(LoadedModel model, int examples, int segment, MetricKind metric, int topK,
                             DiscoveryProgress progress) {
        ComputationGraph graph = DiscoveryJob.graphOf(model);
        List<TaskExample> ex = new InductionCircuitTask().examples(new HostTaskContext(model, 1, "induction",
                examples, Map.of("segment", Integer.toString(segment))));
        int[][] clean = ex.stream().map(TaskExample::clean).toArray(int[][]::new);
        try (HookedTransformer engine = HookedTransformer.load(model.parameters())) {
            if (graph.edgeCount() > SMALL_GRAPH) {
                return measure(engine, graph, ex, metric, topK, forwardSeconds(engine, clean), model.source(), clean, progress);
            }
            // A small model's run is over in a second, and a shared machine's noise is of that order: warm the JIT
            // with one untimed run, then report the run with the median ACDC cost of five (its EAP figures with it),
            // each against a forward pass timed just before it.
            measure(engine, graph, ex, metric, topK, forwardSeconds(engine, clean), model.source(), clean, progress);
            Result[] runs = new Result[REPEATS];
            for (int i = 0; i < REPEATS; i++) {
                runs[i] = measure(engine, graph, ex, metric, topK, forwardSeconds(engine, clean), model.source(),
                        clean, progress);
            }
            Arrays.sort(runs, java.util.Comparator.comparingDouble(Result::acdcCost));
            return runs[REPEATS / 2];
        }
    }

    private static Result measure(HookedTransformer engine, ComputationGraph graph, List<TaskExample> ex,
                                  MetricKind metric, int topK, double forward, String source, int[][] clean,
                                  DiscoveryProgress progress) {
        {
            long t0 = System.nanoTime();
            try (EdgePatcher patcher = new EdgePatcher(engine, graph, ex, metric, Ablation.RESAMPLE)) {
                long tSetup = System.nanoTime();
                double[] scores = patcher.attributionScores(0);
                long tEnd = System.nanoTime();
                double eap = (tEnd - t0) / 1e9;
                double gradient = (tEnd - tSetup) / 1e9;
                BitSet candidates = topK >= graph.edgeCount() ? graph.allEdges()
                        : new EdgeRanking(scores, true).top(topK);
                double range = Math.abs(patcher.evaluate(graph.allEdges()) - patcher.evaluate(new BitSet()));
                long t1 = System.nanoTime();
                Acdc.Outcome o = new Acdc(patcher, 0.01 * range, false, progress).run(candidates, scores);
                double acdc = (System.nanoTime() - t1) / 1e9;
                return new Result(source, graph.edgeCount(), clean.length, clean[0].length, forward, eap,
                        eap / forward, gradient / forward, acdc, acdc / forward, candidates.cardinality(), o.circuit().cardinality(),
                        o.passes());
            }
        }
    }

    /** The median of several plain forward passes after warm-up. */
    private static double forwardSeconds(HookedTransformer engine, int[][] tokens) {
        double[] t = new double[7];
        engine.logitsOnHeap(tokens);
        engine.logitsOnHeap(tokens);
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            engine.logitsOnHeap(tokens);
            t[i] = (System.nanoTime() - s) / 1e9;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }
}
