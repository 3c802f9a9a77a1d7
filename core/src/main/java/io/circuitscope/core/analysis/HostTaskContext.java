package io.circuitscope.core.analysis;

import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeSets;
import io.circuitscope.spi.TaskContext;
import io.circuitscope.spi.TokenVocabulary;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/** The {@link TaskContext} the host gives one task: its random source is seeded from the run's seed and the task id. */
public final class HostTaskContext implements TaskContext {
    private final LoadedModel model;
    private final SplittableRandom random;
    private final int exampleCount;
    private final Map<String, String> options;
    private final ProbeSets probes;

    /** @param options this task's settings by name (without the task-id prefix) */
    public HostTaskContext(LoadedModel model, long seed, String taskId, int exampleCount, Map<String, String> options) {
        if (exampleCount < 1) {
            throw new IllegalArgumentException("a task needs at least one example, got " + exampleCount);
        }
        this.model = model;
        this.random = new SplittableRandom(seed ^ EngineDetectionContext.seedOf(taskId));
        this.exampleCount = exampleCount;
        this.options = Map.copyOf(options);
        this.probes = new ModelProbeSets(model);
    }

    @Override
    public ModelShape shape() {
        return EngineDetectionContext.shapeOf(model);
    }

    @Override
    public Optional<TokenVocabulary> vocabulary() {
        return model.tokenizer().map(TokenizerVocabulary::new);
    }

    @Override
    public SplittableRandom random() {
        return random;
    }

    @Override
    public ProbeSets probes() {
        return probes;
    }

    @Override
    public int exampleCount() {
        return exampleCount;
    }

    @Override
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }
}
