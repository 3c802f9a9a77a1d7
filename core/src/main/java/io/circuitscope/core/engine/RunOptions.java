package io.circuitscope.core.engine;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** Which hook points a forward pass caches and which it patches; immutable once built. */
public final class RunOptions {
    private static final RunOptions NONE = new Builder().build();

    private final Set<String> cachedNames;
    private final Predicate<String> cached;
    private final boolean cachesAnything;
    private final Map<String, ActivationPatch> patches;
    private final Set<String> gradients;
    private final int[] logitPositions;

    private RunOptions(Builder b) {
        Set<String> names = Set.copyOf(b.cachedNames);
        this.cachedNames = names;
        Predicate<String> extra = b.cachedMatching;
        this.cached = extra == null ? names::contains : n -> names.contains(n) || extra.test(n);
        this.cachesAnything = !names.isEmpty() || extra != null;
        this.patches = Map.copyOf(b.patches);
        this.gradients = Set.copyOf(b.gradients);
        this.logitPositions = b.logitPositions == null ? null : b.logitPositions.clone();
    }

    /** Options that neither cache nor patch anything: the fastest forward pass. */
    public static RunOptions none() {
        return NONE;
    }

    /** Options that cache every hook point. */
    public static RunOptions cacheAll() {
        return builder().cacheMatching(name -> true).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean caches(String hookName) {
        return cachesAnything && cached.test(hookName);
    }

    public ActivationPatch patch(String hookName) {
        return patches.get(hookName);
    }

    public boolean patches(String hookName) {
        return patches.containsKey(hookName);
    }

    /** The positions at which logits are computed, or null for every position. */
    int[] logitPositions() {
        return logitPositions;
    }

    /** True when {@link HookedTransformer#gradients} should return the metric's gradient at this hook. */
    public boolean wantsGradient(String hookName) {
        return gradients.contains(hookName);
    }

    /** The hooks whose gradient is wanted. */
    public Set<String> gradientHooks() {
        return gradients;
    }

    /** True when the pass must compute this hook's value as a real node of the graph: it is patched or differentiated. */
    boolean intervenes(String hookName) {
        return patches.containsKey(hookName) || gradients.contains(hookName);
    }

    /** True when the pass needs no hook's value: nothing is cached, patched or differentiated. */
    boolean observesNothing() {
        return !cachesAnything && patches.isEmpty() && gradients.isEmpty();
    }

    /** Every hook named explicitly, to cache, patch or differentiate (not those matched by a predicate). */
    public Set<String> namedHooks() {
        Set<String> all = new HashSet<>(cachedNames);
        all.addAll(patches.keySet());
        all.addAll(gradients);
        return all;
    }

    /** Assembles {@link RunOptions}. */
    public static final class Builder {
        private final Set<String> cachedNames = new HashSet<>();
        private Predicate<String> cachedMatching;
        private final Map<String, ActivationPatch> patches = new HashMap<>();
        private final Set<String> gradients = new HashSet<>();
        private int[] logitPositions;

        public Builder cache(String... hookNames) {
            cachedNames.addAll(java.util.List.of(hookNames));
            return this;
        }

        public Builder cacheMatching(Predicate<String> filter) {
            cachedMatching = cachedMatching == null ? filter : cachedMatching.or(filter);
            return this;
        }

        /**
         * Patches {@code hookName}. Several patches on one hook compose in registration order, as several
         * TransformerLens hooks on one point do: each sees what the previous one returned.
         */
        public Builder patch(String hookName, ActivationPatch patch) {
            patches.merge(hookName, patch, (first, second) -> activation -> second.apply(first.apply(activation)));
            return this;
        }

        /**
         * Asks {@link HookedTransformer#gradients} for the metric's gradient with respect to these hooks' values (after
         * any patch), as TransformerLens backward hooks give it. Ignored by plain runs.
         */
        public Builder gradient(String... hookNames) {
            gradients.addAll(java.util.List.of(hookNames));
            return this;
        }

        /**
         * Computes logits only at these positions, in this order: the result is [batch, positions.length, d_vocab].
         * Unembedding every position of every hypothesis is what exhausts memory in edge patching.
         */
        public Builder logitsAt(int... positions) {
            if (positions.length == 0) {
                throw new IllegalArgumentException("logitsAt needs at least one position");
            }
            logitPositions = positions.clone();
            return this;
        }

        public RunOptions build() {
            return new RunOptions(this);
        }
    }
}
