package io.circuitscope.discovery.patching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.spi.TaskExample;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EdgePatcherTest {
    static final ModelConfig ATTN_ONLY = new ModelConfig(2, 12, 3, 4, null, 20, 10, null, "LN", true, "standard",
            1e-5, null, "attn-only");
    static final ModelConfig WITH_MLP = new ModelConfig(2, 12, 2, 6, 16, 20, 10, "gelu_new", "LN", false,
            "standard", 1e-5, null, "mlp");
    /** GPT-NeoX's shape: partial rotary, parallel attention and MLP. */
    static final ModelConfig NEOX = new ModelConfig(2, 12, 2, 6, 16, 20, 10, "gelu", "LN", false, "rotary", 1e-5,
            null, "neox", null, 2, 10000.0, true, null, null, null, null, null, null, null);
    /** Llama's shape: RMSNorm, rotary, two query heads per key-value head, SwiGLU, a sliding window of 5. */
    static final ModelConfig LLAMA = new ModelConfig(2, 12, 4, 3, 16, 20, 10, "silu", "RMS", false, "rotary", 1e-6,
            null, "llama", 2, 2, 500000.0, null, true, 5, null, null, null, null, null);

    static ModelConfig named(String name) {
        return switch (name) {
            case "attn-only" -> ATTN_ONLY;
            case "mlp" -> WITH_MLP;
            case "neox" -> NEOX;
            case "llama" -> LLAMA;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Examples of two lengths, two answer positions each, corrupted twins drawn independently. */
    static List<TaskExample> examples(long seed, int vocab) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TaskExample> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int len = i % 2 == 0 ? 6 : 8;
            int[] clean = r.ints(len, 0, vocab).toArray();
            int[] corrupted = r.ints(len, 0, vocab).toArray();
            out.add(new TaskExample(clean, corrupted, new int[] {len - 1, len - 3},
                    new int[] {r.nextInt(vocab), r.nextInt(vocab)}, new int[] {r.nextInt(vocab), r.nextInt(vocab)}));
        }
        return out;
    }

    static BitSet random(ComputationGraph g, SplittableRandom r, double p) {
        BitSet b = new BitSet();
        for (int i = 0; i < g.edgeCount(); i++) {
            if (r.nextDouble() < p) {
                b.set(i);
            }
        }
        return b;
    }

    static ComputationGraph graphOf(ModelConfig c) {
        return new ComputationGraph(c.nLayers(), c.nHeads(), c.hasMlp(), c.parallel(), c.dModel());
    }

    @ParameterizedTest
    @CsvSource({"attn-only,KL,RESAMPLE", "attn-only,LOGIT_DIFF,ZERO", "mlp,LOGIT_DIFF,RESAMPLE", "mlp,KL,MEAN",
            "mlp,LOGIT_DIFF,ZERO", "attn-only,KL,MEAN", "neox,LOGIT_DIFF,RESAMPLE", "neox,KL,MEAN",
            "llama,LOGIT_DIFF,RESAMPLE", "llama,KL,ZERO"})
    void fastPathMatchesTheEdgeByEdgeOracle(String shape, MetricKind metric, Ablation ablation) {
        ModelConfig c = named(shape);
        ComputationGraph g = graphOf(c);
        List<TaskExample> ex = examples(3, c.dVocab());
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(c, 11, 0.6));
             EdgePatcher fast = new EdgePatcher(model, g, ex, metric, ablation)) {
            SlowEdgePatcher slow = new SlowEdgePatcher(model, g, ex, metric, ablation);
            SplittableRandom r = new SplittableRandom(5);
            List<BitSet> circuits = new ArrayList<>(List.of(g.allEdges(), new BitSet()));
            for (int i = 0; i < 3; i++) {
                circuits.add(random(g, r, 0.3 + 0.2 * i));
            }
            for (BitSet circuit : circuits) {
                assertEquals(slow.evaluate(circuit), fast.evaluate(circuit), 1e-4, "circuit " + circuit);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"attn-only", "mlp", "neox", "llama"})
    void batchedHypothesesEqualTheirCircuitsEvaluatedAlone(String shape) {
        ModelConfig c = named(shape);
        ComputationGraph g = graphOf(c);
        List<TaskExample> ex = examples(8, c.dVocab());
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(c, 2, 0.6));
             EdgePatcher fast = new EdgePatcher(model, g, ex, MetricKind.LOGIT_DIFF, Ablation.RESAMPLE);
             EdgePatcher alone = new EdgePatcher(model, g, ex, MetricKind.LOGIT_DIFF, Ablation.RESAMPLE)) {
            SplittableRandom r = new SplittableRandom(9);
            BitSet base = random(g, r, 0.5);
            List<int[]> flips = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                // Late-layer flips start the pass part-way; the last mixes layers.
                int e = g.edgeCount() - 1 - r.nextInt(g.edgeCount() / (i % 3 + 1));
                flips.add(i == 11 ? new int[] {0, e} : new int[] {e});
            }
            flips.add(new int[0]);
            double[] batched = fast.evaluate(base, flips);
            for (int i = 0; i < flips.size(); i++) {
                BitSet c2 = (BitSet) base.clone();
                for (int e : flips.get(i)) {
                    c2.flip(e);
                }
                assertEquals(alone.evaluate(c2), batched[i], 1e-4, "hypothesis " + i);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"attn-only", "mlp", "neox", "llama"})
    void everyEdgeGivesTheCleanModelAndNoEdgeTheCorruptedRun(String shape) {
        ModelConfig c = named(shape);
        ComputationGraph g = graphOf(c);
        List<TaskExample> ex = examples(4, c.dVocab());
        List<TaskExample> swapped = ex.stream().map(e -> new TaskExample(e.corrupted(), e.corrupted(), e.positions(),
                e.answers(), e.distractors())).toList();
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(c, 6, 0.6));
             EdgePatcher kl = new EdgePatcher(model, g, ex, MetricKind.KL, Ablation.RESAMPLE);
             EdgePatcher ld = new EdgePatcher(model, g, ex, MetricKind.LOGIT_DIFF, Ablation.RESAMPLE);
             EdgePatcher onCorrupted = new EdgePatcher(model, g, swapped, MetricKind.LOGIT_DIFF, Ablation.RESAMPLE);
             EdgePatcher cleanOnly = new EdgePatcher(model, g, ex.stream().map(e -> new TaskExample(e.clean(),
                     e.clean(), e.positions(), e.answers(), e.distractors())).toList(), MetricKind.LOGIT_DIFF,
                     Ablation.RESAMPLE)) {
            assertEquals(0.0, kl.evaluate(g.allEdges()), 1e-5);
            // A twin equal to the clean prompt makes every circuit the clean model.
            assertEquals(cleanOnly.evaluate(new BitSet()), ld.evaluate(g.allEdges()), 1e-4);
            assertEquals(onCorrupted.evaluate(g.allEdges()), ld.evaluate(new BitSet()), 1e-4);
        }
    }
}
