package io.circuitscope.spi;

import java.util.List;
import java.util.SplittableRandom;

/** Probe datasets in token ids, drawn from a caller's random source so that a seed reproduces them. */
public interface ProbeSets {
    /**
     * Sequences of {@code length} tokens (BOS first when the model has one) with one segment of 3 to
     * {@code (length - 1) / 2} tokens repeated at a random start and offset.
     */
    List<RepeatProbe> repeatedSegments(SplittableRandom random, int count, int length);

    /** Random sequences with no token repeated (as far as the vocabulary allows): the control for repeats. */
    List<RepeatProbe> nonRepeating(SplittableRandom random, int count, int length);

    /**
     * IOI prompts in the model's tokenizer (half ABBA, half BABA), all of one length so they batch.
     *
     * @throws ProbeUnavailableException when the model has no tokenizer or too few names are single tokens
     */
    List<IoiProbe> ioiPrompts(SplittableRandom random, int count);

    /**
     * The ABC corruption of each IOI prompt: IO, S1 and S2 replaced by three other distinct names, so that no name
     * repeats and the IOI signal is gone while every position keeps its role.
     *
     * @throws ProbeUnavailableException when the model has fewer than five single-token names
     */
    List<IoiProbe> ioiAbcCorruptions(List<IoiProbe> clean, SplittableRandom random);
}
