package io.circuitscope.core.analysis;

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

/**
 * A detection context that can be cut off: after {@link #revoke()} every call that reaches the model throws, so a
 * detector abandoned at its time limit cannot run the shared engine alongside the detectors after it.
 */
final class RevocableContext implements DetectionContext {
    private final DetectionContext delegate;
    private volatile String revokedBecause;

    RevocableContext(DetectionContext delegate) {
        this.delegate = delegate;
    }

    void revoke(String because) {
        revokedBecause = because;
    }

    private DetectionContext live() {
        if (revokedBecause != null) {
            throw new IllegalStateException("this detector's context was revoked: " + revokedBecause);
        }
        return delegate;
    }

    @Override
    public ModelShape shape() {
        return live().shape();
    }

    @Override
    public Optional<TokenVocabulary> vocabulary() {
        return live().vocabulary();
    }

    @Override
    public SplittableRandom random() {
        return live().random();
    }

    @Override
    public long seed() {
        return live().seed();
    }

    @Override
    public ProbeSets probes() {
        return live().probes();
    }

    @Override
    public ModelRun run(int[][] tokens, Set<String> hooks, List<HookPatch> patches) {
        return live().run(tokens, hooks, patches);
    }

    @Override
    public Optional<String> option(String name) {
        return live().option(name);
    }

    @Override
    public WeightView weights() {
        return live().weights();
    }
}
