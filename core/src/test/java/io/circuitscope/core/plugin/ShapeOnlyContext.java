package io.circuitscope.core.plugin;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HookPatch;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeSets;
import io.circuitscope.spi.TokenVocabulary;
import io.circuitscope.spi.WeightView;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/** A detection context that knows only a model's shape: enough to call a plugin detector that reads nothing else. */
final class ShapeOnlyContext implements DetectionContext {
    private final ModelShape shape;

    ShapeOnlyContext(ModelShape shape) {
        this.shape = shape;
    }

    @Override
    public ModelShape shape() {
        return shape;
    }

    @Override
    public Optional<TokenVocabulary> vocabulary() {
        return Optional.empty();
    }

    @Override
    public SplittableRandom random() {
        return new SplittableRandom(1);
    }

    @Override
    public long seed() {
        return 1;
    }

    @Override
    public ProbeSets probes() {
        throw new UnsupportedOperationException("no probes here");
    }

    @Override
    public ModelRun run(int[][] tokens, Set<String> hooks, List<HookPatch> patches) {
        throw new UnsupportedOperationException("no model here");
    }

    @Override
    public Optional<String> option(String name) {
        return Optional.empty();
    }

    @Override
    public WeightView weights() {
        throw new UnsupportedOperationException("no weights here");
    }
}
