package io.circuitscope.core.zoo;

import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.probe.RepeatedSegment;
import io.circuitscope.core.probe.RepeatedSegmentGenerator;
import io.circuitscope.core.tokenizer.WordLevelTokenizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Induction: a random segment recurs later in a sequence of random tokens at a varying offset and length; the loss
 * covers the second copy after its first token, which only content-based induction can predict.
 */
public final class InductionTask implements ZooTask {
    static final int BOS = 0;
    static final int VOCAB = 512;
    static final int SEQUENCE = 64;
    private static final long EVAL_SEED = 0x1D0C7105L;
    private static final int EVAL_SEQUENCES = 512;

    private final RepeatedSegmentGenerator generator =
            new RepeatedSegmentGenerator(SEQUENCE, BOS, 1, VOCAB - 1, 3, 20);

    @Override
    public String name() {
        return "induction";
    }

    @Override
    public ModelConfig architecture() {
        return new ModelConfig(2, 64, 4, 16, null, VOCAB, SEQUENCE, null, "LN", true, "standard", 1e-5, BOS,
                "toy-induction");
    }

    @Override
    public int defaultSteps() {
        return 6000;
    }

    @Override
    public int batchSize() {
        return 32;
    }

    @Override
    public double learningRate() {
        return 1e-3;
    }

    @Override
    public TrainingBatch batch(SplittableRandom rng) {
        int[][] tokens = new int[batchSize()][];
        int[][] targets = new int[batchSize()][];
        for (int b = 0; b < batchSize(); b++) {
            RepeatedSegment s = generator.repeated(rng);
            tokens[b] = s.tokens();
            targets[b] = new int[SEQUENCE];
            java.util.Arrays.fill(targets[b], -1);
            for (int t = s.secondStart(); t < s.secondStart() + s.length() - 1; t++) {
                targets[b][t] = s.inductionAnswer(t);
            }
        }
        return new TrainingBatch(tokens, targets);
    }

    @Override
    public TaskEvaluation evaluate(HookedTransformer model) {
        SplittableRandom rng = new SplittableRandom(EVAL_SEED);
        int counted = 0;
        int correct = 0;
        for (int done = 0; done < EVAL_SEQUENCES; done += 64) {
            RepeatedSegment[] seqs = new RepeatedSegment[64];
            int[][] tokens = new int[64][];
            for (int i = 0; i < 64; i++) {
                seqs[i] = generator.repeated(rng);
                tokens[i] = seqs[i].tokens();
            }
            float[] logits = model.logitsOnHeap(tokens).data();
            for (int i = 0; i < 64; i++) {
                for (int t = 0; t < SEQUENCE; t++) {
                    if (seqs[i].isUnambiguousInductionTarget(t)) {
                        counted++;
                        if (argMax(logits, (i * SEQUENCE + t) * VOCAB, VOCAB) == seqs[i].inductionAnswer(t)) {
                            correct++;
                        }
                    }
                }
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("induction_top1_accuracy", (double) correct / counted);
        metrics.put("positions_counted", (double) counted);
        return TaskEvaluation.of(metrics, Map.of("induction_top1_accuracy", 0.95));
    }

    /** The index of the largest of {@code n} values from {@code offset}; the first wins ties. */
    private static int argMax(float[] values, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (values[offset + i] > values[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public Map<String, Object> dataFormat() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("bos_token_id", BOS);
        f.put("sequence_length", SEQUENCE);
        f.put("token_ids", Map.of("first", generator.firstTokenId(),
                "last", generator.firstTokenId() + generator.tokenCount() - 1));
        f.put("segment_length", Map.of("min", generator.minSegment(), "max", generator.maxSegment()));
        f.put("description", "BOS, then uniform random ids; one segment of random length is copied to a later"
                + " position after a random gap. Loss and accuracy count the second copy after its first token;"
                + " accuracy counts only positions whose current token occurs exactly once earlier.");
        return f;
    }

    @Override
    public Optional<WordLevelTokenizer> vocabulary() {
        return Optional.empty();
    }
}
