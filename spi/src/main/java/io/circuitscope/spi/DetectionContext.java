package io.circuitscope.spi;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/** Everything a detector may read about the model under study, as plain Java values. */
public interface DetectionContext {
    ModelShape shape();

    /** The model's tokenizer, when it has one; probes in token ids work without it. */
    Optional<TokenVocabulary> vocabulary();

    /** A random source seeded from the run's {@code --seed} and the detector's id, so each detector is reproducible. */
    SplittableRandom random();

    /** The run's seed, for a detector to record in its settings. */
    long seed();

    /** Probe datasets built by the host for this model: repeated segments, controls and IOI prompts. */
    ProbeSets probes();

    /**
     * Runs the model on {@code tokens} (equal-length rows), caching the named hooks (TransformerLens names, for
     * example {@code blocks.0.attn.hook_pattern}) and applying the patches in order. Logits over a real vocabulary
     * are large, so they are computed only when {@code hooks} contains {@link HookPoints#LOGITS}.
     */
    ModelRun run(int[][] tokens, Set<String> hooks, List<HookPatch> patches);

    /** Runs without patches. */
    default ModelRun run(int[][] tokens, Set<String> hooks) {
        return run(tokens, hooks, List.of());
    }

    /**
     * A setting the user passed for this detector ({@code --set <detector-id>.<name>=<value>} on the command line),
     * or empty. A detector should fail with a clear message on a value it does not understand.
     */
    Optional<String> option(String name);

    /** Read access to the weights and each head's factored circuits. */
    WeightView weights();
}
