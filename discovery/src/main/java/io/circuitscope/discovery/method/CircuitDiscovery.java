package io.circuitscope.discovery.method;

import io.circuitscope.discovery.eval.EdgeRanking;
import io.circuitscope.discovery.eval.FaithfulnessCurve;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.patching.EdgePatcher;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** Runs one discovery method on an {@link EdgePatcher} and evaluates the circuit it finds. */
public final class CircuitDiscovery {
    private final EdgePatcher patcher;
    private final DiscoveryProgress progress;

    public CircuitDiscovery(EdgePatcher patcher, DiscoveryProgress progress) {
        this.patcher = patcher;
        this.progress = progress;
    }

    public DiscoveryResult run(DiscoverySettings s, String task, int examples) {
        ComputationGraph graph = patcher.graph();
        double full = patcher.evaluate(graph.allEdges());
        double empty = patcher.evaluate(new BitSet());
        double range = Math.abs(full - empty);
        double[] scores;
        BitSet circuit;
        double threshold = Double.NaN;
        switch (s.method()) {
            case ACDC, EAP_ACDC -> {
                threshold = s.threshold() != null ? s.threshold() : 0.01 * range;
                BitSet candidates = graph.allEdges();
                double[] ranking = null;
                if (s.method() == DiscoveryMethod.EAP_ACDC) {
                    progress.update("eap", 0, 1, Double.NaN);
                    ranking = patcher.attributionScores(0);
                    candidates = new EdgeRanking(ranking, s.absoluteRanking()).top(s.topK());
                }
                Acdc.Outcome outcome = new Acdc(patcher, threshold, s.absoluteDelta(), progress).run(candidates,
                        ranking);
                circuit = outcome.circuit();
                scores = ranking != null ? ranking : outcome.deltas();
            }
            case EAP, EAP_IG, EXACT -> {
                scores = scoresOf(s, full);
                EdgeRanking ranking = new EdgeRanking(scores, s.absoluteRanking());
                if (s.threshold() != null) {
                    threshold = s.threshold();
                    circuit = new BitSet();
                    for (int e = 0; e < scores.length; e++) {
                        if (EdgeRanking.key(scores[e], s.absoluteRanking()) >= threshold) {
                            circuit.set(e);
                        }
                    }
                    circuit = graph.prune(circuit);
                } else {
                    circuit = smallestFaithful(ranking, s.targetFaithfulness(), full, empty);
                }
            }
            default -> throw new IllegalStateException("unhandled method " + s.method());
        }
        double metric = patcher.evaluate(circuit);
        FaithfulnessCurve curve = curve(new EdgeRanking(scores, s.absoluteRanking()), full, empty);
        return new DiscoveryResult(graph, s, task, examples, scores, circuit, full, empty, metric,
                FaithfulnessCurve.faithfulness(metric, empty, full), threshold, curve, null);
    }

    private double[] scoresOf(DiscoverySettings s, double full) {
        return switch (s.method()) {
            case EAP -> patcher.attributionScores(0);
            case EAP_IG -> patcher.attributionScores(s.igSteps());
            case EXACT -> exactEffects(full);
            default -> throw new IllegalStateException();
        };
    }

    /** Each edge's own effect: m(N − e) − m(N) given m(N), every edge removed alone from the full graph, batched. */
    private double[] exactEffects(double full) {
        ComputationGraph graph = patcher.graph();
        BitSet all = graph.allEdges();
        double[] out = new double[graph.edgeCount()];
        int chunk = Math.max(1, patcher.batchLimit());
        for (int from = 0; from < out.length; from += chunk) {
            List<int[]> flips = new ArrayList<>();
            for (int e = from; e < Math.min(out.length, from + chunk); e++) {
                flips.add(new int[] {e});
            }
            double[] v = patcher.evaluate(all, flips);
            for (int i = 0; i < v.length; i++) {
                out[from + i] = v[i] - full;
            }
            progress.update("exact", Math.min(out.length, from + chunk), out.length, full);
        }
        return out;
    }

    private double faithfulness(BitSet circuit, double full, double empty) {
        return FaithfulnessCurve.faithfulness(patcher.evaluate(circuit), empty, full);
    }

    /** The smallest top-n (pruned) whose faithfulness reaches the target, by bisection between curve budgets. */
    private BitSet smallestFaithful(EdgeRanking ranking, double target, double full, double empty) {
        ComputationGraph graph = patcher.graph();
        int lo = 0;
        int hi = ranking.size();
        for (double budget : FaithfulnessCurve.BUDGETS) {
            int n = (int) (budget * ranking.size());
            if (n <= lo) {
                continue;
            }
            if (faithfulness(graph.prune(ranking.top(n)), full, empty) >= target) {
                hi = n;
                break;
            }
            lo = n;
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (faithfulness(graph.prune(ranking.top(mid)), full, empty) >= target) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return graph.prune(ranking.top(hi));
    }

    private FaithfulnessCurve curve(EdgeRanking ranking, double full, double empty) {
        ComputationGraph graph = patcher.graph();
        List<FaithfulnessCurve.Point> points = new ArrayList<>();
        int i = 0;
        for (double budget : FaithfulnessCurve.BUDGETS) {
            BitSet c = graph.prune(ranking.top((int) (budget * ranking.size())));
            points.add(new FaithfulnessCurve.Point(budget, c.cardinality(), faithfulness(c, full, empty)));
            progress.update("faithfulness curve", ++i, FaithfulnessCurve.BUDGETS.length, Double.NaN);
        }
        return FaithfulnessCurve.of(points, ranking.absolute());
    }
}
