package io.circuitscope.spi;

import java.util.Arrays;

/**
 * One clean prompt and its corrupted twin (the same length, so that every position has a counterpart), with the
 * positions whose next-token prediction is the behaviour, the right answer at each, and the distractor that
 * {@code logit-diff} compares it with.
 */
public record TaskExample(int[] clean, int[] corrupted, int[] positions, int[] answers, int[] distractors) {
    /** @throws IllegalArgumentException saying which part of the example is inconsistent */
    public TaskExample {
        if (clean.length == 0 || clean.length != corrupted.length) {
            throw new IllegalArgumentException("a clean prompt and its corrupted twin must have the same, non-zero"
                    + " length; got " + clean.length + " and " + corrupted.length + " tokens");
        }
        if (positions.length == 0 || answers.length != positions.length || distractors.length != positions.length) {
            throw new IllegalArgumentException("an example needs at least one position, and one answer and one"
                    + " distractor per position; got " + positions.length + " positions, " + answers.length
                    + " answers, " + distractors.length + " distractors");
        }
        for (int[] ids : new int[][] {clean, corrupted, answers, distractors}) {
            for (int id : ids) {
                if (id < 0) {
                    throw new IllegalArgumentException("token ids are never negative, got " + id);
                }
            }
        }
        for (int p : positions) {
            if (p < 0 || p >= clean.length) {
                throw new IllegalArgumentException("position " + p + " is outside a prompt of " + clean.length
                        + " tokens");
            }
        }
        clean = clean.clone();
        corrupted = corrupted.clone();
        positions = positions.clone();
        answers = answers.clone();
        distractors = distractors.clone();
    }

    @Override
    public int[] clean() {
        return clean.clone();
    }

    @Override
    public int[] corrupted() {
        return corrupted.clone();
    }

    @Override
    public int[] positions() {
        return positions.clone();
    }

    @Override
    public int[] answers() {
        return answers.clone();
    }

    @Override
    public int[] distractors() {
        return distractors.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskExample e && Arrays.equals(clean, e.clean) && Arrays.equals(corrupted, e.corrupted)
                && Arrays.equals(positions, e.positions) && Arrays.equals(answers, e.answers)
                && Arrays.equals(distractors, e.distractors);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(clean) * 31 + Arrays.hashCode(corrupted);
    }

    @Override
    public String toString() {
        return "TaskExample" + Arrays.toString(clean) + " vs " + Arrays.toString(corrupted) + " at "
                + Arrays.toString(positions);
    }
}
