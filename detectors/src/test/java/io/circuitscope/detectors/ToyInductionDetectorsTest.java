package io.circuitscope.detectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.circuitscope.core.analysis.CompositionScores;
import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.core.analysis.DetectorRunner;
import io.circuitscope.core.engine.ActivationPatch;
import io.circuitscope.core.engine.HookNames;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.engine.RunOptions;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.probe.RepeatedSegment;
import io.circuitscope.core.probe.RepeatedSegmentGenerator;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.spi.HeadScores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detectors on zoo:toy-induction, whose mechanism is known (previous-token heads in layer 0, induction heads in
 * layer 1), checked causally: what they label must matter when ablated, together.
 */
class ToyInductionDetectorsTest {
    private static LoadedModel loaded;
    private static HookedTransformer model;
    private static List<RepeatedSegment> sequences;

    @BeforeAll
    static void load() {
        loaded = ModelSource.load("zoo:toy-induction");
        model = HookedTransformer.load(loaded.parameters());
        RepeatedSegmentGenerator g = new RepeatedSegmentGenerator(64, 0, 1, 511, 3, 20);
        SplittableRandom rng = new SplittableRandom(77);
        sequences = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            sequences.add(g.placedAnywhere(rng));
        }
    }

    /** Runs the detectors inside each test (not in the shared setup), so that mutation testing sees what they cover. */
    private static Map<String, HeadScores> detect() {
        Map<String, HeadScores> scores = new HashMap<>();
        for (DetectorOutcome o : DetectorRunner.run(loaded, model, PluginHost.builtIn().detectors(), 1, Map.of(), id -> { })) {
            o.scores().ifPresent(s -> scores.put(o.id(), s));
        }
        return scores;
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void ioiDetectorsAreSkippedBecauseTheModelHasNoTokenizer() {
        Map<String, HeadScores> scores = detect();
        assertEquals(List.of("duplicate-token", "induction", "previous-token"),
                scores.keySet().stream().sorted().toList());
    }

    @Test
    void meanAblatingTheLabelledInductionHeadsTogetherBreaksInduction() {
        Map<String, HeadScores> scores = detect();
        List<int[]> induction = labelled(scores.get("induction"));
        assertFalse(induction.isEmpty(), "no induction head labelled");
        assertTrue(induction.stream().allMatch(x -> x[0] == 1), "induction heads outside layer 1");
        assertTrue(accuracy(List.of()) > 0.95, "clean accuracy " + accuracy(List.of()));
        double ablated = accuracy(induction);
        assertTrue(ablated < 0.1, "accuracy with " + induction.size() + " induction heads ablated: " + ablated);
    }

    @Test
    void theTopPreviousTokenHeadIsTheInductionHeadsTopKCompositionPartner() {
        Map<String, HeadScores> scores = detect();
        int[] top = topHead(scores.get("previous-token"));
        assertTrue(scores.get("previous-token").labelled(top[0], top[1]));
        CompositionScores comp = CompositionScores.of(model, 1);
        for (int[] ind : labelled(scores.get("induction"))) {
            CompositionScores.Pair best = comp.strongestPartners(CompositionScores.Mode.K, ind[0], ind[1], 1).get(0);
            assertEquals(List.of(top[0], top[1]), List.of(best.fromLayer(), best.fromHead()),
                    "top K partner of a" + ind[0] + ".h" + ind[1]);
            assertTrue(best.score() > 2 * comp.baseline(CompositionScores.Mode.K),
                    best.score() + " vs baseline " + comp.baseline(CompositionScores.Mode.K));
        }
    }

    @Test
    void ablatingTheTopPreviousTokenHeadAloneHurtsInductionMoreThanAnyOtherHead() {
        Map<String, HeadScores> scores = detect();
        int[] top = topHead(scores.get("previous-token"));
        double topAccuracy = accuracy(List.<int[]>of(top));
        StringBuilder report = new StringBuilder();
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 4; h++) {
                double a = accuracy(List.<int[]>of(new int[] {l, h}));
                report.append(String.format(java.util.Locale.ROOT, " a%d.h%d=%.3f", l, h, a));
                if (l != top[0] || h != top[1]) {
                    assertTrue(topAccuracy < a, "a" + top[0] + ".h" + top[1] + " ablated: " + topAccuracy + ";"
                            + report);
                }
            }
        }
    }

    private static List<int[]> labelled(HeadScores s) {
        List<int[]> out = new ArrayList<>();
        for (int l = 0; l < s.layers(); l++) {
            for (int h = 0; h < s.heads(); h++) {
                if (s.labelled(l, h)) {
                    out.add(new int[] {l, h});
                }
            }
        }
        return out;
    }

    private static int[] topHead(HeadScores s) {
        int[] best = {0, 0};
        for (int l = 0; l < s.layers(); l++) {
            for (int h = 0; h < s.heads(); h++) {
                if (s.score(l, h) > s.score(best[0], best[1])) {
                    best = new int[] {l, h};
                }
            }
        }
        return best;
    }

    /** Induction accuracy with the given heads' outputs replaced by their mean over the batch at each position. */
    private static double accuracy(List<int[]> ablated) {
        int[][] tokens = sequences.stream().map(RepeatedSegment::tokens).toArray(int[][]::new);
        try (NDManager out = model.manager().newSubManager()) {
            RunOptions.Builder cache = RunOptions.builder();
            for (int l = 0; l < 2; l++) {
                cache.cache(HookNames.result(l));
            }
            var clean = model.run(out, tokens, cache.build()).cache();
            RunOptions.Builder patched = RunOptions.builder();
            for (int[] head : ablated) {
                NDArray result = clean.get(HookNames.result(head[0]));
                NDArray mean = result.mean(new int[] {0}, true).broadcast(result.getShape());
                patched.patch(HookNames.result(head[0]), ActivationPatch.replaceHeads(mean, 2, head[1]));
            }
            float[] logits = model.run(out, tokens, patched.build()).logits().toFloatArray();
            int vocab = 512;
            int counted = 0;
            int correct = 0;
            for (int i = 0; i < tokens.length; i++) {
                RepeatedSegment s = sequences.get(i);
                for (int t = 0; t < 64; t++) {
                    if (s.isUnambiguousInductionTarget(t)) {
                        int base = (i * 64 + t) * vocab;
                        int best = 0;
                        for (int v = 1; v < vocab; v++) {
                            if (logits[base + v] > logits[base + best]) {
                                best = v;
                            }
                        }
                        counted++;
                        correct += best == s.inductionAnswer(t) ? 1 : 0;
                    }
                }
            }
            return (double) correct / counted;
        }
    }
}
