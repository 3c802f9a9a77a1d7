package io.circuitscope.core.engine;

import io.circuitscope.core.CircuitscopeException;

/**
 * Prompts of unequal length as one batch, each padded on the right. In a causal model a real position never attends
 * to the padding after it, so the activations and logits at real positions equal those of the prompt run alone;
 * only the padded positions hold meaningless values, which callers skip through {@link #lengths()} or read the last
 * real position of each prompt through {@link #lastPositions()}.
 */
public final class PaddedBatch {
    private final int[][] tokens;
    private final int[] lengths;

    private PaddedBatch(int[][] tokens, int[] lengths) {
        this.tokens = tokens;
        this.lengths = lengths;
    }

    /**
     * Pads every prompt with {@code padId} to the longest one's length.
     *
     * @throws CircuitscopeException if there is no prompt or one is empty
     */
    public static PaddedBatch of(int[][] prompts, int padId) {
        if (prompts.length == 0) {
            throw new CircuitscopeException("no prompts to batch");
        }
        int longest = 0;
        int[] lengths = new int[prompts.length];
        for (int b = 0; b < prompts.length; b++) {
            if (prompts[b].length == 0) {
                throw new CircuitscopeException("prompt " + b + " is empty");
            }
            lengths[b] = prompts[b].length;
            longest = Math.max(longest, lengths[b]);
        }
        int[][] padded = new int[prompts.length][longest];
        for (int b = 0; b < prompts.length; b++) {
            java.util.Arrays.fill(padded[b], padId);
            System.arraycopy(prompts[b], 0, padded[b], 0, lengths[b]);
        }
        return new PaddedBatch(padded, lengths);
    }

    /** The padded token ids [batch][longest]; a fresh copy. */
    public int[][] tokens() {
        int[][] copy = new int[tokens.length][];
        for (int b = 0; b < tokens.length; b++) {
            copy[b] = tokens[b].clone();
        }
        return copy;
    }

    /** Each prompt's own length. */
    public int[] lengths() {
        return lengths.clone();
    }

    /** Each prompt's last real position, where its next-token prediction is read. */
    public int[] lastPositions() {
        int[] last = new int[lengths.length];
        for (int b = 0; b < last.length; b++) {
            last[b] = lengths[b] - 1;
        }
        return last;
    }
}
