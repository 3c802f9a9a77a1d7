package io.circuitscope.spi;

import java.util.Optional;
import java.util.SplittableRandom;

/** Everything a task may read to build its examples, as plain Java values. */
public interface TaskContext {
    ModelShape shape();

    /** The model's tokenizer, when it has one; tasks in token ids work without it. */
    Optional<TokenVocabulary> vocabulary();

    /** A random source seeded from the run's {@code --seed} and the task's id. */
    SplittableRandom random();

    /** Probe datasets built by the host: repeated segments, IOI prompts and their ABC corruptions. */
    ProbeSets probes();

    /** How many examples the user asked for. */
    int exampleCount();

    /** A setting the user passed for this task ({@code --set <task-id>.<name>=<value>}), or empty. */
    Optional<String> option(String name);
}
