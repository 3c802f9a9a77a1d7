package io.circuitscope.discovery.task;

import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeUnavailableException;
import io.circuitscope.spi.TaskContext;
import io.circuitscope.spi.TaskExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pf4j.Extension;

/**
 * Induction on repeated random tokens: [BOS] A A, where A is a segment of distinct random tokens; the answer at each
 * position of the second copy is the token that followed it in the first. The corrupted prompt is a fresh random
 * sequence of the same length, BOS first, with no token repeated. Corrupting only the second copy would leave every
 * key position identical in both runs, hiding the previous-token head's K-edge from patching; a corrupted prompt that
 * repeats its own segment at the same offset hides it too, since its induction heads attend to the very positions the
 * clean ones do, so an induction head with corrupted queries and keys still copies the clean answer. The distractor is
 * the token the corrupted prompt has at the answer's position.
 */
@Extension(ordinal = 1)
public final class InductionCircuitTask implements CircuitTask {
    @Override
    public String id() {
        return "induction";
    }

    @Override
    public String description() {
        return "predict the next token of a repeated random segment (corrupted: a fresh random segment)";
    }

    @Override
    public String defaultMetric() {
        return "kl";
    }

    @Override
    public Map<String, String> options() {
        return Map.of("segment", "tokens in the repeated segment (default: up to 12, as the context allows)");
    }

    @Override
    public List<TaskExample> examples(TaskContext context) {
        ModelShape shape = context.shape();
        int prefix = shape.hasBos() ? 1 : 0;
        int segment = context.option("segment").map(InductionCircuitTask::parseSegment)
                .orElse(Math.min(12, (shape.nCtx() - prefix) / 2));
        if (segment < 2 || prefix + 2 * segment > shape.nCtx()) {
            throw new ProbeUnavailableException("a repeated segment of " + segment + " tokens does not fit a context of "
                    + shape.nCtx() + " (it needs 2 to " + (shape.nCtx() - prefix) / 2 + " tokens)");
        }
        int usable = shape.dVocab() - (shape.hasBos() ? 1 : 0);
        if (usable < segment) {
            throw new ProbeUnavailableException("the vocabulary has too few tokens for a segment of " + segment
                    + " distinct tokens");
        }
        SplittableRandom random = context.random();
        List<TaskExample> out = new ArrayList<>();
        for (int i = 0; i < context.exampleCount(); i++) {
            int[] clean = repeated(random, shape, prefix, segment);
            int[] corrupted = distinct(random, shape, prefix, 2 * segment);
            int[] positions = new int[segment - 1];
            int[] answers = new int[segment - 1];
            int[] distractors = new int[segment - 1];
            for (int j = 0; j < segment - 1; j++) {
                positions[j] = prefix + segment + j;
                answers[j] = clean[positions[j] + 1];
                distractors[j] = corrupted[positions[j] + 1];
            }
            out.add(new TaskExample(clean, corrupted, positions, answers, distractors));
        }
        return out;
    }

    private static int parseSegment(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("induction.segment must be a whole number, got '" + value + "'");
        }
    }

    /** [BOS] A A with A distinct tokens drawn from the vocabulary, never BOS. */
    private static int[] repeated(SplittableRandom random, ModelShape shape, int prefix, int segment) {
        int[] t = distinct(random, shape, prefix, segment);
        int[] out = java.util.Arrays.copyOf(t, prefix + 2 * segment);
        System.arraycopy(t, prefix, out, prefix + segment, segment);
        return out;
    }

    /** [BOS] followed by {@code count} distinct tokens (as far as the vocabulary allows), never BOS. */
    private static int[] distinct(SplittableRandom random, ModelShape shape, int prefix, int count) {
        int[] t = new int[prefix + count];
        if (prefix == 1) {
            t[0] = shape.bosTokenId();
        }
        int usable = shape.dVocab() - (shape.hasBos() ? 1 : 0);
        java.util.Set<Integer> used = new java.util.HashSet<>();
        for (int j = 0; j < count; j++) {
            if (used.size() == usable) {
                used.clear();
            }
            int id;
            do {
                id = random.nextInt(shape.dVocab());
            } while (id == shape.bosTokenId() || !used.add(id));
            t[prefix + j] = id;
        }
        return t;
    }
}
