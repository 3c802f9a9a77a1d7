package io.circuitscope.core.analysis;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.FactoredCircuit;
import io.circuitscope.spi.HookPatch;
import io.circuitscope.spi.IoiProbe;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeSets;
import io.circuitscope.spi.RepeatProbe;
import io.circuitscope.spi.Tensor;
import io.circuitscope.spi.TokenVocabulary;
import io.circuitscope.spi.WeightView;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A detection context that can be cut off. Every call that reaches the model, its weights, its tokenizer or its
 * probes passes one gate; {@link #revoke} closes the gate and waits for a call already inside to finish, so once it
 * returns, a detector abandoned at its time limit can no longer touch the engine, which the caller may then close or
 * hand to the next detector.
 */
final class RevocableContext implements DetectionContext {
    private final DetectionContext delegate;
    // Fair, so that revoke() is not starved by a detector that calls the model in a tight loop.
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock(true);
    private volatile String revokedBecause;

    RevocableContext(DetectionContext delegate) {
        this.delegate = delegate;
    }

    /** Closes the gate; returns once no call is inside it. */
    void revoke(String because) {
        Lock write = gate.writeLock();
        write.lock();
        try {
            revokedBecause = because;
        } finally {
            write.unlock();
        }
    }

    private <T> T through(Supplier<T> call) {
        Lock read = gate.readLock();
        read.lock();
        try {
            if (revokedBecause != null) {
                throw new IllegalStateException("this detector's context was revoked: " + revokedBecause);
            }
            return call.get();
        } finally {
            read.unlock();
        }
    }

    @Override
    public ModelShape shape() {
        return through(delegate::shape);
    }

    @Override
    public Optional<TokenVocabulary> vocabulary() {
        return through(delegate::vocabulary).map(GatedVocabulary::new);
    }

    @Override
    public SplittableRandom random() {
        return through(delegate::random);
    }

    @Override
    public long seed() {
        return through(delegate::seed);
    }

    @Override
    public ProbeSets probes() {
        return new GatedProbes(through(delegate::probes));
    }

    @Override
    public ModelRun run(int[][] tokens, Set<String> hooks, List<HookPatch> patches) {
        return through(() -> delegate.run(tokens, hooks, patches));
    }

    @Override
    public Optional<String> option(String name) {
        return through(() -> delegate.option(name));
    }

    @Override
    public WeightView weights() {
        return new GatedWeights(through(delegate::weights));
    }

    /** The weights, behind the same gate. */
    private final class GatedWeights implements WeightView {
        private final WeightView weights;

        GatedWeights(WeightView weights) {
            this.weights = weights;
        }

        @Override
        public Tensor parameter(String name) {
            return through(() -> weights.parameter(name));
        }

        @Override
        public FactoredCircuit ov(int layer, int head) {
            return through(() -> weights.ov(layer, head));
        }

        @Override
        public FactoredCircuit qk(int layer, int head) {
            return through(() -> weights.qk(layer, head));
        }
    }

    /** The tokenizer, behind the same gate. */
    private final class GatedVocabulary implements TokenVocabulary {
        private final TokenVocabulary vocabulary;

        GatedVocabulary(TokenVocabulary vocabulary) {
            this.vocabulary = vocabulary;
        }

        @Override
        public int[] encode(String text) {
            return through(() -> vocabulary.encode(text));
        }

        @Override
        public String token(int id) {
            return through(() -> vocabulary.token(id));
        }

        @Override
        public OptionalInt singleToken(String text) {
            return through(() -> vocabulary.singleToken(text));
        }
    }

    /** The probe sets, behind the same gate. */
    private final class GatedProbes implements ProbeSets {
        private final ProbeSets probes;

        GatedProbes(ProbeSets probes) {
            this.probes = probes;
        }

        @Override
        public List<RepeatProbe> repeatedSegments(SplittableRandom random, int count, int length) {
            return through(() -> probes.repeatedSegments(random, count, length));
        }

        @Override
        public List<RepeatProbe> nonRepeating(SplittableRandom random, int count, int length) {
            return through(() -> probes.nonRepeating(random, count, length));
        }

        @Override
        public List<IoiProbe> ioiPrompts(SplittableRandom random, int count) {
            return through(() -> probes.ioiPrompts(random, count));
        }

        @Override
        public List<IoiProbe> ioiAbcCorruptions(List<IoiProbe> clean, SplittableRandom random) {
            return through(() -> probes.ioiAbcCorruptions(clean, random));
        }
    }
}
