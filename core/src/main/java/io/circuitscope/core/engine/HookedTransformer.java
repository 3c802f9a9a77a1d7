package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ParameterSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A decoder-only transformer on DJL's PyTorch engine whose every TransformerLens hook point can be cached or patched;
 * safe to share between threads, whose passes take turns.
 */
// Each forward pass runs in its own NDManager scope and hands back only what the caller keeps. A pass lends the
// parameters to its scope (so that every intermediate lands there), which two passes at once would corrupt: the
// second scope would return them to the first, already closed one, releasing them. Passes therefore hold a lock; it
// is reentrant, so a patch may run the model again, and the nested scope hands the parameters back to the outer one.
public final class HookedTransformer implements AutoCloseable {
    private final ReentrantLock passLock = new ReentrantLock();
    private boolean closed;
    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    private final boolean ownsManager;
    private final Set<String> hookNames;
    private final RotaryEmbedding rotary;

    private HookedTransformer(ModelConfig config, Map<String, NDArray> params, NDManager manager, boolean ownsManager) {
        this.config = config;
        this.rotary = config.rotary() ? new RotaryEmbedding(config) : null;
        this.hookNames = Set.copyOf(HookNames.all(config));
        this.params = params;
        this.manager = manager;
        this.ownsManager = ownsManager;
    }

    /**
     * Streams the parameters into a new engine-side model that owns its memory until {@link #close()}; a checkpoint
     * is read one tensor at a time, so loading never holds the model twice.
     *
     * @throws io.circuitscope.core.CircuitscopeException if the stored parameters are damaged; nothing is left
     *     allocated
     */
    public static HookedTransformer load(ParameterSource source) {
        NDManager manager = EngineBootstrap.pytorch().newBaseManager();
        try {
            EngineParameterLoader loader = new EngineParameterLoader(manager, source.config());
            source.streamTo(loader);
            return new HookedTransformer(source.config(), loader.parameters(), manager, true);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Wraps parameters the caller owns (trainable arrays with gradients); closing this model leaves them alone. */
    static HookedTransformer wrap(ModelConfig config, Map<String, NDArray> params) {
        NDManager manager = params.values().iterator().next().getManager();
        return new HookedTransformer(config, params, manager, false);
    }

    public ModelConfig config() {
        return config;
    }

    /** The manager that owns the parameters; forward passes use sub-scopes of it. */
    public NDManager manager() {
        return manager;
    }

    /**
     * A copy of parameter {@code name} (TransformerLens state-dict name, e.g. {@code blocks.0.attn.W_Q} [n_heads,
     * d_model, d_head]) owned by {@code out}: editing it never changes the model. In a grouped-query model
     * {@code attn.W_K}, {@code b_K}, {@code W_V} and {@code b_V} are given once per query head, as TransformerLens's
     * properties of those names give them, and the stored {@code attn._W_K} etc. once per key-value head.
     *
     * @throws IllegalArgumentException naming the parameters that exist
     */
    public NDArray parameter(NDManager out, String name) {
        String stored = KeyValueHeads.storedName(config, name);
        NDArray p = params.get(stored == null ? name : stored);
        if (p == null) {
            throw new IllegalArgumentException("no parameter " + name + "; parameters: " + params.keySet());
        }
        passLock.lock();
        try {
            NDArray copy = stored == null ? p.duplicate() : KeyValueHeads.forQueryHeads(config, out, p, null);
            copy.attach(out);
            return copy;
        } finally {
            passLock.unlock();
        }
    }

    /** The logits [batch, pos, d_vocab] for a batch of equal-length token sequences, owned by {@code out}. */
    public NDArray logits(NDManager out, int[][] tokens) {
        return run(out, tokens, RunOptions.none()).logits();
    }

    /** The logits [batch, pos, d_vocab] copied to the Java heap, with nothing left on the engine side. */
    public FloatTensor logitsOnHeap(int[][] tokens) {
        try (NDManager out = manager.newSubManager()) {
            return TensorBridge.toHeap(logits(out, tokens));
        }
    }

    /** Runs a forward pass with the given caching, patching and logit positions; results are owned by {@code out}. */
    public ForwardResult run(NDManager out, int[][] tokens, RunOptions options) {
        checkHookNames(options);
        return inScope(scope -> runInScope(scope, out, tokenArray(scope, tokens), options));
    }

    /** Runs a forward pass on an integer token array [batch, pos]; results are owned by {@code out}. */
    public ForwardResult run(NDManager out, NDArray tokens, RunOptions options) {
        checkHookNames(options);
        if (tokens.getShape().dimension() != 2 || tokens.getShape().size() == 0) {
            throw new CircuitscopeException("tokens must be a non-empty [batch, pos] array, got shape "
                    + tokens.getShape());
        }
        return inScope(scope -> {
            NDArray ids = tokens.toType(DataType.INT64, true);
            ids.attach(scope);
            checkPositions(ids.getShape().get(1));
            long min = ids.min().getLong();
            long max = ids.max().getLong();
            if (min < 0 || max >= config.dVocab()) {
                throw outOfRange(min < 0 ? min : max, "");
            }
            return runInScope(scope, out, ids, options);
        });
    }

    /**
     * The residual stream entering layer {@code layer}, [batch, pos, d_model] (TransformerLens {@code stop_at_layer});
     * {@code layer == n_layers} gives the stream after the last block, before the final normalization.
     *
     * @throws IllegalArgumentException if a named hook lies at or after {@code layer}, where this pass never goes
     */
    public ResidualResult residualBefore(NDManager out, int[][] tokens, int layer, RunOptions options) {
        checkLayer(layer, "stop");
        checkHookNames(options);
        checkReached(options, -1, layer);
        return inScope(scope -> {
            ForwardPass pass = passIn(scope, options);
            NDArray resid = pass.blocks(pass.embed(tokenArray(scope, tokens)), 0, layer);
            return new ResidualResult(keep(out, resid, pass), new ActivationCache(pass.cached()));
        });
    }

    /**
     * Runs layers {@code layer} to the last and the unembedding on a given residual stream [batch, pos, d_model]
     * (TransformerLens {@code start_at_layer}), e.g. one cached by {@link #residualBefore}; {@code residual} is read,
     * never modified. Results are owned by {@code out}.
     *
     * @throws IllegalArgumentException if a named hook lies before {@code layer}, where this pass never goes
     */
    public ForwardResult runFrom(NDManager out, NDArray residual, int layer, RunOptions options) {
        checkLayer(layer, "start");
        checkHookNames(options);
        checkReached(options, layer, config.nLayers() + 1);
        Shape s = residual.getShape();
        if (s.dimension() != 3 || s.get(2) != config.dModel() || s.size() == 0) {
            throw new IllegalArgumentException("a residual stream is [batch, pos, " + config.dModel() + "], got " + s);
        }
        checkPositions(s.get(1));
        return inScope(scope -> {
            NDArray start = residual.duplicate();
            start.attach(scope);
            ForwardPass pass = passIn(scope, options);
            NDArray logits = pass.unembed(pass.blocks(start, layer));
            return new ForwardResult(keep(out, logits, pass), new ActivationCache(pass.cached()));
        });
    }

    private void checkLayer(int layer, String what) {
        if (layer < 0 || layer > config.nLayers()) {
            throw new IllegalArgumentException("cannot " + what + " at layer " + layer + " of a " + config.nLayers()
                    + "-layer model");
        }
    }

    /** A hook outside [first, end) would be silently skipped by a partial pass, so naming one is an error. */
    private void checkReached(RunOptions options, int first, int end) {
        for (String name : options.namedHooks()) {
            int layer = HookNames.layerOf(name, config);
            if (layer < first || layer >= end) {
                throw new IllegalArgumentException("hook " + name + " is not reached by a pass over layers "
                        + Math.max(first, 0) + " to " + (Math.min(end, config.nLayers()) - 1));
            }
        }
    }

    /** Moves {@code result} and the pass's cache to {@code out}, the caller's manager. */
    private static NDArray keep(NDManager out, NDArray result, ForwardPass pass) {
        result.attach(out);
        for (NDArray a : pass.cached().values()) {
            a.attach(out);
        }
        return result;
    }

    /**
     * Runs a forward pass with autograd and returns {@code metric(logits)} with its gradient at every hook named by
     * {@link RunOptions.Builder#gradient}; gradients and any cached values are owned by {@code out}. The parameters
     * get no gradient. Only one gradient computation runs at a time in a process (a DJL restriction).
     *
     * @param metric maps the logits [batch, pos, d_vocab] to a scalar, e.g. a summed logit difference
     */
    public HookGradients gradients(NDManager out, int[][] tokens, RunOptions options,
                                   Function<NDArray, NDArray> metric) {
        checkHookNames(options);
        if (options.gradientHooks().isEmpty()) {
            throw new IllegalArgumentException("no hook to differentiate: name some with RunOptions.Builder.gradient");
        }
        return inScope(scope -> {
            try (GradientCollector collector = EngineBootstrap.pytorch().newGradientCollector()) {
                return gradientsInScope(scope, out, tokenArray(scope, tokens), options, metric, collector);
            }
        });
    }

    private HookGradients gradientsInScope(NDManager scope, NDManager out, NDArray ids, RunOptions options,
                                           Function<NDArray, NDArray> metric, GradientCollector collector) {
        ForwardPass pass = passIn(scope, options);
        NDArray logits = pass.logits(ids);
        NDArray value = metric.apply(logits);
        if (value.getShape().size() != 1) {
            throw new IllegalArgumentException("the metric must be a scalar, got shape " + value.getShape());
        }
        collector.backward(value);
        Map<String, NDArray> grads = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> leaf : pass.gradientLeaves().entrySet()) {
            grads.put(leaf.getKey(), detachedInto(out, leaf.getValue().getGradient()));
        }
        Map<String, NDArray> cached = new LinkedHashMap<>();
        pass.cached().forEach((name, a) -> cached.put(name, detachedInto(out, a)));
        return new HookGradients(value.toType(DataType.FLOAT64, false).getDouble(), detachedInto(out, logits),
                grads, new ActivationCache(cached));
    }

    /** A copy with no autograd history, so that keeping it does not keep the pass's graph alive. */
    private static NDArray detachedInto(NDManager out, NDArray a) {
        NDArray copy = a.stopGradient().duplicate();
        copy.attach(out);
        return copy;
    }

    /** The model's pieces as separate functions over engine arrays, the same ones its forward pass is built from. */
    public ModelComponents components() {
        return new ModelComponents(this);
    }

    /**
     * Runs {@code body} on a hook-free pass in a fresh scope and moves the arrays it returns (and nothing else) to
     * {@code out}. With {@code copyInputs} the inputs are copied into the scope first; otherwise they are lent to it
     * for the call, which saves a copy but is only for bodies that never return an input itself nor modify one.
     */
    <T> T withPass(NDManager out, NDArray[] inputs, boolean copyInputs,
                   java.util.function.BiFunction<ForwardPass, NDArray[], T> body, Function<T, NDArray[]> results) {
        return inScope(scope -> {
            NDArray[] local = new NDArray[inputs.length];
            java.util.Set<NDArray> lent = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i] == null) {
                    continue;
                }
                if (copyInputs) {
                    local[i] = inputs[i].duplicate();
                    local[i].attach(scope);
                } else {
                    // Lent, so that everything the pass derives from it lands in the scope and is freed with it.
                    if (lent.add(inputs[i])) {
                        scope.tempAttachAll(inputs[i]);
                    }
                    local[i] = inputs[i];
                }
            }
            T value = body.apply(passIn(scope, RunOptions.none()), local);
            for (NDArray a : results.apply(value)) {
                if (a != null) {
                    a.attach(out);
                }
            }
            return value;
        });
    }

    /** Token ids as an engine array in {@code manager}, after the same checks as {@link #run}. */
    NDArray tokenArray(NDManager manager, int[][] tokens) {
        return manager.create(validate(tokens), new Shape(tokens.length, tokens[0].length));
    }

    /** Runs {@code body} in a fresh scope of its own, holding the pass lock, and closes the scope afterwards. */
    private <T> T inScope(Function<NDManager, T> body) {
        passLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this model has been closed");
            }
            // libtorch's grad mode is per thread and on in every new thread; a pass records no graph unless it asks
            // for gradients (whose collector turns the mode on), so that every thread takes the same, in-place path.
            boolean gradMode = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try (NDManager scope = manager.newSubManager()) {
                return body.apply(scope);
            } finally {
                JniUtils.setGradMode(gradMode);
            }
        } finally {
            passLock.unlock();
        }
    }

    /** A misspelled or out-of-range hook name would silently give an unpatched run, so it is an error. */
    private void checkHookNames(RunOptions options) {
        for (String name : options.namedHooks()) {
            if (!hookNames.contains(name)) {
                throw new IllegalArgumentException("no hook point named " + name + " in this " + config.nLayers()
                        + "-layer model" + (config.hasMlp() ? "" : " (attention-only, no MLP hooks)"));
            }
        }
    }

    private ForwardResult runInScope(NDManager scope, NDManager out, NDArray ids, RunOptions options) {
        ForwardPass pass = passIn(scope, options);
        NDArray logits = keep(out, pass.logits(ids), pass);
        return new ForwardResult(logits, new ActivationCache(pass.cached()));
    }

    /**
     * The logits for a token array inside a scope the caller manages, without moving anything out of it:
     * training uses this so that the graph for backpropagation stays alive until the step ends.
     */
    NDArray logitsInScope(NDManager scope, NDArray tokens) {
        return passIn(scope, RunOptions.none()).logits(tokens);
    }

    /** A forward pass whose every result lands in {@code scope}, the parameters lent to it until it closes. */
    private ForwardPass passIn(NDManager scope, RunOptions options) {
        scope.tempAttachAll(params.values().toArray(new NDArray[0]));
        return new ForwardPass(config, params, scope, options, rotary);
    }

    private int[] validate(int[][] tokens) {
        if (tokens.length == 0 || tokens[0].length == 0) {
            throw new CircuitscopeException("no tokens to run");
        }
        int pos = tokens[0].length;
        checkPositions(pos);
        int[] flat = new int[tokens.length * pos];
        for (int b = 0; b < tokens.length; b++) {
            if (tokens[b].length != pos) {
                throw new CircuitscopeException("all sequences in a batch must have the same length: sequence 0 has "
                        + pos + " tokens, sequence " + b + " has " + tokens[b].length);
            }
            for (int p = 0; p < pos; p++) {
                int id = tokens[b][p];
                if (id < 0 || id >= config.dVocab()) {
                    throw outOfRange(id, " at position " + p);
                }
                flat[b * pos + p] = id;
            }
        }
        return flat;
    }

    private CircuitscopeException outOfRange(long id, String where) {
        return new CircuitscopeException("token id " + id + where + " is out of range: the model's vocabulary has ids 0.."
                + (config.dVocab() - 1));
    }

    private void checkPositions(long pos) {
        if (pos > config.nCtx()) {
            throw new CircuitscopeException("sequence of " + pos + " tokens is longer than the model's context n_ctx = "
                    + config.nCtx());
        }
    }

    @Override
    public void close() {
        passLock.lock();
        try {
            closed = true;
            if (ownsManager) {
                manager.close();
            }
        } finally {
            passLock.unlock();
        }
    }
}
