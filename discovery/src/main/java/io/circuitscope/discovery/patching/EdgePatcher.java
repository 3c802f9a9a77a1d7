package io.circuitscope.discovery.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.circuitscope.core.engine.ActivationCache;
import io.circuitscope.core.engine.AttentionResult;
import io.circuitscope.core.engine.ForwardResult;
import io.circuitscope.core.engine.HookNames;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.engine.ModelComponents;
import io.circuitscope.core.engine.RunOptions;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.spi.TaskExample;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Evaluates the task metric of circuits under ACDC's patching semantics: each receiver reads its corrupted (ablated)
 * input plus, for every edge present, the sender's output in the current run minus its corrupted output, so that
 * patching acts inside the circuit. With every edge present this is the clean model, with none the corrupted run.
 *
 * <p>The fast path keeps every sender's output in one [senders, tokens × d_model] tensor, so that a layer's receiver
 * inputs are one masked matrix product, not a hook per edge; it evaluates many hypotheses (circuits that differ from
 * a base circuit in a few edges) stacked along the batch axis, and starts each pass at the earliest layer they
 * change, reusing the base circuit's sender outputs below it.
 */
public final class EdgePatcher implements AutoCloseable {
    /** Floats of activations one batch of hypotheses may hold, about 1 GiB. */
    private static final long BATCH_FLOATS = 1L << 28;

    private final HookedTransformer engine;
    private final ModelComponents components;
    private final ComputationGraph graph;
    private final GraphLayout layout;
    private final NDManager manager;
    private final List<GroupState> groups = new ArrayList<>();
    private final int dModel;
    private final int batchLimit;

    /**
     * Runs the clean (and, for resample ablation, corrupted) prompts once and keeps what every later evaluation reads.
     *
     * @throws IllegalArgumentException if the graph does not fit the model, or an example is longer than its
     *     context or names a token outside its vocabulary
     */
    public EdgePatcher(HookedTransformer engine, ComputationGraph graph, List<TaskExample> examples,
                       MetricKind metric, Ablation ablation) {
        var config = engine.config();
        if (config.nLayers() != graph.nLayers() || config.nHeads() != graph.nHeads()
                || config.hasMlp() != graph.hasMlp() || config.hasMlp() && config.parallel() != graph.parallelAttnMlp()) {
            throw new IllegalArgumentException("the graph (" + graph.nLayers() + " layers × " + graph.nHeads()
                    + " heads, " + mlpKind(graph.hasMlp(), graph.parallelAttnMlp()) + ") does not match the model ("
                    + config.nLayers() + " × " + config.nHeads() + ", " + mlpKind(config.hasMlp(), config.parallel())
                    + ")");
        }
        checkFits(examples, config.dVocab(), config.nCtx());
        this.engine = engine;
        this.components = engine.components();
        this.graph = graph;
        this.layout = new GraphLayout(graph);
        this.dModel = config.dModel();
        this.manager = engine.manager().newSubManager();
        long widest = 0;
        try {
            for (PromptGroup g : PromptGroup.of(examples)) {
                groups.add(new GroupState(g, metric, ablation));
                widest = Math.max(widest, (long) g.size() * g.length() * dModel);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        long perHypothesis = (4L * layout.heads + layout.senders + 4) * widest;
        this.batchLimit = (int) Math.max(1, Math.min(256, BATCH_FLOATS / perHypothesis));
    }

    private static String mlpKind(boolean hasMlp, boolean parallel) {
        return !hasMlp ? "without MLPs" : parallel ? "with parallel MLPs" : "with MLPs";
    }

    private static void checkFits(List<TaskExample> examples, int vocab, int nCtx) {
        for (int i = 0; i < examples.size(); i++) {
            TaskExample e = examples.get(i);
            if (e.clean().length > nCtx) {
                throw new IllegalArgumentException("example " + i + " has " + e.clean().length
                        + " tokens; the model's context is " + nCtx);
            }
            int[][] ids = {e.clean(), e.corrupted(), e.answers(), e.distractors()};
            String[] what = {"clean prompt", "corrupted prompt", "answer", "distractor"};
            for (int k = 0; k < ids.length; k++) {
                for (int id : ids[k]) {
                    if (id < 0 || id >= vocab) {
                        throw new IllegalArgumentException("example " + i + ": its " + what[k] + " has token id " + id
                                + ", outside the model's vocabulary of " + vocab);
                    }
                }
            }
        }
    }

    public ComputationGraph graph() {
        return graph;
    }

    /** How many hypotheses a single pass may stack. */
    public int batchLimit() {
        return batchLimit;
    }

    /** The metric of one circuit (an edge set indexed as {@link ComputationGraph#edges()}). */
    public double evaluate(BitSet circuit) {
        return evaluate(circuit, List.of(new int[0]))[0];
    }

    /**
     * The metric of each hypothesis: the base circuit with the listed edges toggled (present ones removed, absent
     * ones added). Hypotheses are stacked along the batch axis, as many per pass as memory allows.
     */
    public double[] evaluate(BitSet base, List<int[]> flips) {
        double[] out = new double[flips.size()];
        for (int from = 0; from < flips.size(); from += batchLimit) {
            List<int[]> chunk = flips.subList(from, Math.min(flips.size(), from + batchLimit));
            float[] masks = masks(base, chunk);
            int start = layout.layers;
            boolean[] changed = new boolean[layout.receivers];
            for (int[] f : chunk) {
                for (int e : f) {
                    start = Math.min(start, layout.receiverLayer(layout.edgeReceiver[e]));
                    changed[layout.edgeReceiver[e]] = true;
                }
            }
            for (GroupState g : groups) {
                if (start > 0) {
                    g.ensureBase(base);
                }
                boolean fromBase = start > 0 || base.equals(g.baseMask);
                double[] v = g.run(masks, chunk.size(), start, fromBase ? changed : null, false);
                for (int k = 0; k < v.length; k++) {
                    out[from + k] += v[k];
                }
            }
        }
        return out;
    }

    /**
     * Edge attribution patching: each edge's score is (ablated − clean output of its sender) · the gradient of the
     * metric at its receiver's input, summed over tokens, which approximates the change in the metric when the edge
     * alone is removed. With {@code igSteps} = 0 the gradient is taken on the clean run (EAP: one clean forward and
     * backward pass plus the corrupted forward pass the patcher already ran); with m > 0 it is averaged over m runs
     * whose input embeddings are interpolated from ablated to clean, α = k / m for k = 0 .. m − 1 (EAP-IG, inputs).
     */
    public double[] attributionScores(int igSteps) {
        if (igSteps < 0) {
            throw new IllegalArgumentException("integrated-gradient steps must be >= 0, got " + igSteps);
        }
        double[] byPair = new double[layout.senders * layout.receivers];
        for (GroupState g : groups) {
            int steps = Math.max(1, igSteps);
            for (int k = 0; k < steps; k++) {
                double alpha = igSteps == 0 ? 1.0 : (double) k / igSteps;
                double[] pairs = g.attribution(alpha);
                for (int i = 0; i < pairs.length; i++) {
                    byPair[i] += pairs[i] / steps;
                }
            }
        }
        double[] scores = new double[graph.edgeCount()];
        for (int e = 0; e < scores.length; e++) {
            scores[e] = byPair[layout.edgeSender[e] * layout.receivers + layout.edgeReceiver[e]];
        }
        return scores;
    }

    /** Dense receiver × sender masks, one per hypothesis, laid out [K, R, S]. */
    private float[] masks(BitSet base, List<int[]> flips) {
        int r = layout.receivers;
        int s = layout.senders;
        float[] one = new float[r * s];
        for (int e = base.nextSetBit(0); e >= 0; e = base.nextSetBit(e + 1)) {
            one[layout.edgeReceiver[e] * s + layout.edgeSender[e]] = 1f;
        }
        float[] all = new float[flips.size() * r * s];
        for (int k = 0; k < flips.size(); k++) {
            System.arraycopy(one, 0, all, k * r * s, r * s);
            for (int e : flips.get(k)) {
                int i = k * r * s + layout.edgeReceiver[e] * s + layout.edgeSender[e];
                all[i] = 1f - all[i];
            }
        }
        return all;
    }

    @Override
    public void close() {
        for (GroupState g : groups) {
            g.close();
        }
        manager.close();
    }

    /** Senders whose outputs (minus their corrupted outputs) differ by hypothesis: diff is [K, senders, tokens×d]. */
    private record SenderBlock(int[] senders, NDArray diff) {
    }

    /** Everything one prompt group's evaluations read, and the base circuit's sender outputs. */
    private final class GroupState implements AutoCloseable {
        private final PromptGroup prompts;
        private final NDManager nd;
        private final int n;
        private final int p;
        private final long x;
        private final NDArray corrupted;
        private final NDArray inputDiff;
        private final NDArray ablatedMinusClean;
        private final NDArray[] cinHeads;
        private final NDArray[] cinMlp;
        private final NDArray cinLogits;
        private final MetricReadout readout;
        private BitSet baseMask;
        private NDArray baseDiff;

        GroupState(PromptGroup prompts, MetricKind metric, Ablation ablation) {
            this.prompts = prompts;
            this.nd = manager.newSubManager();
            this.n = prompts.size();
            this.p = prompts.length();
            this.x = (long) n * p * dModel;
            try (NDManager setup = nd.newSubManager()) {
                ForwardResult clean = engine.run(setup, prompts.clean, senderHooks());
                NDArray cleanOut = senderOutputs(clean.cache());
                NDArray ablated = switch (ablation) {
                    case RESAMPLE -> senderOutputs(engine.run(setup, prompts.corrupted, senderHooks()).cache());
                    case ZERO -> cleanOut.zerosLike();
                    case MEAN -> cleanOut.reshape(layout.senders, n, (long) p * dModel).mean(new int[] {1}, true)
                            .broadcast(layout.senders, n, (long) p * dModel).reshape(layout.senders, x);
                };
                inputDiff = keep(cleanOut.get("0:1").sub(ablated.get("0:1")));
                ablatedMinusClean = keep(ablated.sub(cleanOut));
                cinHeads = new NDArray[layout.layers];
                cinMlp = new NDArray[layout.layers];
                NDArray cum = ablated.get(0);
                for (int l = 0; l < layout.layers; l++) {
                    cinHeads[l] = keep(cum.duplicate());
                    NDArray bias = engine.parameter(setup, "blocks." + l + ".attn.b_O").reshape(1, dModel)
                            .broadcast(new Shape((long) n * p, dModel)).reshape(x);
                    int first = layout.firstSender(l);
                    NDArray afterAttention = cum.add(ablated.get(first + ":" + (first + layout.heads))
                            .sum(new int[] {0})).add(bias);
                    if (layout.mlp == 1) {
                        // A parallel MLP reads the stream its layer's attention reads, without that layer's heads.
                        cinMlp[l] = keep((layout.parallel ? cum : afterAttention).duplicate());
                        afterAttention = afterAttention.add(ablated.get(first + layout.heads));
                    }
                    cum = afterAttention;
                }
                cinLogits = keep(cum);
                corrupted = keep(ablated);
                long vocab = clean.logits().getShape().get(2);
                NDArray cleanAtEntries = clean.logits().reshape((long) n * p, vocab)
                        .get(setup.create(prompts.flatPosition));
                readout = new MetricReadout(nd, metric, prompts, cleanAtEntries,
                        engine.parameter(setup, "unembed.W_U"), engine.parameter(setup, "unembed.b_U"));
            } catch (RuntimeException e) {
                nd.close();
                throw e;
            }
        }

        private NDArray keep(NDArray a) {
            a.attach(nd);
            return a;
        }

        private RunOptions senderHooks() {
            RunOptions.Builder b = RunOptions.builder().cache(HookNames.embeddings(engine.config())
                    .toArray(new String[0]));
            for (int l = 0; l < layout.layers; l++) {
                b.cache(HookNames.result(l));
                if (layout.mlp == 1) {
                    b.cache(HookNames.mlpOut(l));
                }
            }
            return b.build();
        }

        /** Every sender's output as rows of one [senders, tokens × d_model] tensor, in layout order. */
        private NDArray senderOutputs(ActivationCache cache) {
            NDList rows = new NDList();
            rows.add(cache.sum(HookNames.embeddings(engine.config())).reshape(1, x));
            for (int l = 0; l < layout.layers; l++) {
                rows.add(cache.get(HookNames.result(l)).transpose(2, 0, 1, 3).reshape(layout.heads, x));
                if (layout.mlp == 1) {
                    rows.add(cache.get(HookNames.mlpOut(l)).reshape(1, x));
                }
            }
            return NDArrays.concat(rows, 0);
        }

        /**
         * (ablated − clean sender outputs) · (metric gradient at receiver inputs), [senders × receivers] flattened,
         * from one backward pass whose input embedding is moved a fraction 1 − α of the way to the ablated input.
         */
        double[] attribution(double alpha) {
            // The pass runs unsplit, with gradients at each head's q, k and v; a head's input gradient then follows
            // by hand through its projection and ln1, which is what autograd would do over per-head input copies,
            // without building those copies. A grouped model's keys and values are shared by the heads of a group,
            // so their gradients cannot be told apart: there the pass is split and differentiated at each head's
            // own inputs (ungrouped, as EAP-IG does, which costs a copy of the stream per head).
            boolean split = engine.config().grouped();
            RunOptions.Builder b = RunOptions.builder();
            for (int l = 0; l < layout.layers; l++) {
                if (split) {
                    b.gradient(HookNames.qInput(l), HookNames.kInput(l), HookNames.vInput(l));
                } else {
                    b.gradient(HookNames.q(l), HookNames.k(l), HookNames.v(l)).cache(HookNames.residPre(l));
                }
                if (layout.mlp == 1) {
                    b.gradient(HookNames.mlpIn(l));
                }
            }
            b.gradient(HookNames.residPost(layout.layers - 1));
            try (NDManager scope = nd.newSubManager()) {
                scope.tempAttachAll(inputDiff, ablatedMinusClean);
                if (alpha < 1.0) {
                    NDArray shift = inputDiff.reshape(n, p, dModel).mul(1.0 - alpha);
                    b.patch(HookNames.EMBED, a -> a.sub(shift));
                }
                NDArray positions = scope.create(prompts.flatPosition);
                var grads = engine.gradients(scope, prompts.clean, b.build(), logits -> {
                    long vocab = logits.getShape().get(2);
                    NDArray at = logits.reshape((long) n * p, vocab).get(positions).reshape(1, prompts.entries(), vocab);
                    return readout.value(at);
                });
                NDList rows = new NDList();
                String[] weights = {"W_Q", "W_K", "W_V"};
                for (int l = 0; l < layout.layers; l++) {
                    if (split) {
                        for (String input : new String[] {HookNames.qInput(l), HookNames.kInput(l),
                            HookNames.vInput(l)}) {
                            rows.add(grads.gradient(input).transpose(2, 0, 1, 3).reshape(layout.heads, x));
                        }
                    }
                    String[] hooks = {HookNames.q(l), HookNames.k(l), HookNames.v(l)};
                    for (int which = 0; which < 3 && !split; which++) {
                        NDArray w = engine.parameter(scope, "blocks." + l + ".attn." + weights[which]);
                        rows.add(ln1Backward(scope, l, grads.cache().get(HookNames.residPre(l)),
                                headInputGradients(grads.gradient(hooks[which]), w)));
                    }
                    if (layout.mlp == 1) {
                        rows.add(grads.gradient(HookNames.mlpIn(l)).reshape(1, x));
                    }
                }
                rows.add(grads.gradient(HookNames.residPost(layout.layers - 1)).reshape(1, x));
                NDArray g = NDArrays.concat(rows, 0);
                NDArray pairs = ablatedMinusClean.matMul(g.transpose());
                return pairs.toType(DataType.FLOAT64, false).toDoubleArray();
            }
        }

        /** dL/d(normalized input) of each head, [heads, tokens, d_model], from dL/dq [n, p, heads, d_head] and W. */
        private NDArray headInputGradients(NDArray gradient, NDArray w) {
            int h = layout.heads;
            long dHead = gradient.getShape().get(3);
            return gradient.transpose(2, 0, 1, 3).reshape(h, (long) n * p, dHead).matMul(w.transpose(0, 2, 1));
        }

        /**
         * The gradient at each head's own copy of the residual stream, [heads, tokens × d_model], from the gradient
         * at its ln1 output: the normalization's backward pass, dx = (g − mean(g) − ŷ mean(g ŷ)) / σ for LayerNorm
         * and (g − ŷ mean(g ŷ)) / σ for RMSNorm (which subtracts no mean), with g scaled by ln1.w where it has one.
         */
        private NDArray ln1Backward(NDManager scope, int l, NDArray residPre, NDArray gNormed) {
            int h = layout.heads;
            ModelConfig.Normalization norm = engine.config().normalization();
            if (norm == ModelConfig.Normalization.NONE) {
                return gNormed.reshape(h, x);
            }
            NDArray g = norm.hasWeight() ? gNormed.mul(engine.parameter(scope, "blocks." + l + ".ln1.w")) : gNormed;
            NDArray xs = residPre.reshape(1, (long) n * p, dModel);
            NDArray centered = norm.isRms() ? xs : xs.sub(xs.mean(new int[] {-1}, true));
            NDArray sigma = centered.square().mean(new int[] {-1}, true).add(engine.config().eps()).sqrt();
            NDArray yHat = centered.div(sigma);
            NDArray gc = norm.isRms() ? g : g.sub(g.mean(new int[] {-1}, true));
            NDArray dx = gc.sub(yHat.mul(g.mul(yHat).mean(new int[] {-1}, true))).div(sigma);
            return dx.reshape(h, x);
        }

        /** Makes the base circuit's sender outputs those of {@code base}, recomputing only the layers that change. */
        void ensureBase(BitSet base) {
            if (base.equals(baseMask)) {
                return;
            }
            int start = 0;
            boolean[] receivers = null;
            if (baseMask != null) {
                BitSet changed = (BitSet) base.clone();
                changed.xor(baseMask);
                start = layout.layers;
                receivers = new boolean[layout.receivers];
                for (int e = changed.nextSetBit(0); e >= 0; e = changed.nextSetBit(e + 1)) {
                    start = Math.min(start, layout.receiverLayer(layout.edgeReceiver[e]));
                    receivers[layout.edgeReceiver[e]] = true;
                }
            }
            run(masks(base, List.of(new int[0])), 1, start, receivers, true);
            baseMask = (BitSet) base.clone();
        }

        /**
         * Runs K hypotheses from layer {@code start} and returns each one's share of the metric; with {@code keep}
         * (K = 1) its sender outputs become the base. Senders written before {@code start} are taken from the base
         * circuit, and so are the heads (and MLP) of layer {@code start} whose inputs no hypothesis changes, when
         * {@code changed} (the receivers some hypothesis touches) is given; null recomputes every layer from start.
         */
        double[] run(float[] masks, int k, int start, boolean[] changed, boolean keep) {
            NDArray previousBase = baseDiff;
            try (NDManager scope = nd.newSubManager()) {
                // Borrow the long-lived arrays, so that everything derived from them lands in this scope.
                scope.tempAttachAll(corrupted, inputDiff, cinLogits);
                scope.tempAttachAll(cinHeads);
                if (layout.mlp == 1) {
                    scope.tempAttachAll(cinMlp);
                }
                if (baseDiff != null) {
                    scope.tempAttachAll(baseDiff);
                }
                int h = layout.heads;
                BitSet shared = new BitSet();
                shared.set(0, layout.firstSender(start));
                // A sender no hypothesis connects to anything is never read: trials skip it (a new base computes
                // every sender, so that the base's outputs stay complete for later trials).
                boolean[] read = keep ? null : readSenders(masks, k);
                List<SenderBlock> late = new ArrayList<>();
                for (int l = start; l < layout.layers; l++) {
                    int r0 = layout.firstReceiver(l);
                    int first = layout.firstSender(l);
                    List<Integer> heads = new ArrayList<>();
                    for (int head = 0; head < h; head++) {
                        boolean touched = changed == null || l > start || changed[r0 + head]
                                || changed[r0 + h + head] || changed[r0 + 2 * h + head];
                        if (read != null && !read[first + head]) {
                            continue;
                        }
                        if (touched) {
                            heads.add(head);
                        } else {
                            shared.set(first + head);
                        }
                    }
                    if (!heads.isEmpty()) {
                        late.add(headBlock(scope, masks, k, l, heads, shared, late));
                    }
                    if (layout.mlp == 1 && (read == null || read[first + h])) {
                        if (changed == null || l > start || !heads.isEmpty() || changed[r0 + 3 * h]) {
                            NDArray in = receiverInputs(scope, masks, k, new int[] {r0 + 3 * h}, shared, late,
                                    cinMlp[l]);
                            NDArray out = components.mlp(scope, l, in.reshape((long) k * n, p, dModel))
                                    .reshape(k, 1, x).subi(corrupted.get(first + h).expandDims(0).expandDims(0));
                            late.add(new SenderBlock(new int[] {first + h}, out));
                        } else {
                            shared.set(first + h);
                        }
                    }
                }
                NDArray resid = receiverInputs(scope, masks, k, new int[] {layout.receivers - 1}, shared, late,
                        cinLogits).reshape((long) k * n * p, dModel);
                long[] index = new long[k * prompts.entries()];
                for (int i = 0; i < k; i++) {
                    for (int e = 0; e < prompts.entries(); e++) {
                        index[i * prompts.entries() + e] = (long) i * n * p + prompts.flatPosition[e];
                    }
                }
                NDArray atEntries = resid.get(scope.create(index)).reshape(1, index.length, dModel);
                NDArray values;
                if (readout.readsDirections()) {
                    // Two columns of the unembedding per entry, not the whole vocabulary.
                    values = readout.valueFromNormalized(components.normalize(scope, "ln_final", atEntries, null)
                            .reshape(k, prompts.entries(), dModel));
                } else {
                    NDArray logits = components.unembed(scope, atEntries);
                    values = readout.value(logits.reshape(k, prompts.entries(), logits.getShape().get(2)));
                }
                double[] result = values.toType(DataType.FLOAT64, false).toDoubleArray();
                if (keep) {
                    NDArray kept = newBase(late);
                    kept.attach(nd);
                    baseDiff = kept;
                }
                return result;
            } finally {
                if (keep && previousBase != null && previousBase != baseDiff) {
                    previousBase.close();
                }
            }
        }

        /** The chosen heads of layer l, from inputs built for them alone: their outputs minus the ablated ones. */
        private SenderBlock headBlock(NDManager scope, float[] masks, int k, int l, List<Integer> heads,
                                      BitSet shared, List<SenderBlock> late) {
            int h = layout.heads;
            int c = heads.size();
            int r0 = layout.firstReceiver(l);
            int[] rows = new int[3 * c];
            int[] senders = new int[c];
            int[] chosen = new int[c];
            for (int i = 0; i < c; i++) {
                chosen[i] = heads.get(i);
                senders[i] = layout.firstSender(l) + chosen[i];
                for (int which = 0; which < 3; which++) {
                    rows[which * c + i] = r0 + which * h + chosen[i];
                }
            }
            NDArray in = receiverInputs(scope, masks, k, rows, shared, late, cinHeads[l]);
            NDArray qkv = in.reshape(k, 3, c, n, p, dModel).transpose(1, 0, 3, 4, 2, 5);
            Shape perHead = new Shape((long) k * n, p, c, dModel);
            NDArray result = c == h
                    ? components.attention(scope, l, qkv.get(0).reshape(perHead), qkv.get(1).reshape(perHead),
                            qkv.get(2).reshape(perHead)).result()
                    : components.headOutputs(scope, l, chosen, qkv.get(0).reshape(perHead),
                            qkv.get(1).reshape(perHead), qkv.get(2).reshape(perHead));
            long[] senderRows = java.util.Arrays.stream(senders).asLongStream().toArray();
            NDArray diff = result.reshape(k, n, p, c, dModel).transpose(0, 3, 1, 2, 4).reshape(k, c, x)
                    .subi(corrupted.get(scope.create(senderRows)).expandDims(0));
            return new SenderBlock(senders, diff);
        }

        /** The base circuit's sender differences after a K = 1 run: recomputed rows from it, the rest unchanged. */
        private NDArray newBase(List<SenderBlock> late) {
            NDArray[] rows = new NDArray[layout.senders];
            for (SenderBlock b : late) {
                for (int i = 0; i < b.senders().length; i++) {
                    rows[b.senders()[i]] = b.diff().get(0).get(i).reshape(1, x);
                }
            }
            for (int s = 0; s < rows.length; s++) {
                if (rows[s] == null) {
                    rows[s] = baseDiff != null ? baseDiff.get(s).reshape(1, x) : inputDiff;
                }
            }
            return NDArrays.concat(new NDList(rows), 0);
        }

        /**
         * The inputs [K, rows, tokens × d_model] of the given receivers: their corrupted input plus the masked sum of
         * sender differences, the shared ones from the base circuit, reading only senders some hypothesis connects.
         */
        private NDArray receiverInputs(NDManager scope, float[] masks, int k, int[] rows, BitSet shared,
                                       List<SenderBlock> late, NDArray cin) {
            // Each matrix product gives a fresh array, so the sum accumulates in place.
            NDArray sum = null;
            int[] cols = connected(masks, k, rows, shared.stream().toArray());
            if (cols.length > 0) {
                NDArray m = scope.create(compact(masks, k, rows, cols), new Shape((long) k * rows.length, cols.length));
                NDArray diffs = baseDiff != null ? baseDiff.get(scope.create(toLong(cols))) : inputDiff;
                sum = m.matMul(diffs).reshape(k, rows.length, x);
            }
            for (SenderBlock b : late) {
                int[] c = connected(masks, k, rows, b.senders());
                if (c.length == 0) {
                    continue;
                }
                NDArray diffs = b.diff();
                if (c.length < b.senders().length) {
                    long[] local = new long[c.length];
                    for (int i = 0, j = 0; i < b.senders().length; i++) {
                        if (j < c.length && b.senders()[i] == c[j]) {
                            local[j++] = i;
                        }
                    }
                    diffs = diffs.transpose(1, 0, 2).get(scope.create(local)).transpose(1, 0, 2);
                }
                NDArray m = scope.create(compact(masks, k, rows, c), new Shape(k, rows.length, c.length));
                NDArray part = m.matMul(diffs);
                sum = sum == null ? part : sum.addi(part);
            }
            NDArray base = cin.reshape(1, 1, x);
            return sum == null ? base.broadcast(new Shape(k, rows.length, x)) : sum.addi(base);
        }

        private static long[] toLong(int[] a) {
            return java.util.Arrays.stream(a).asLongStream().toArray();
        }

        /** For each sender, whether some hypothesis connects it to some receiver. */
        private boolean[] readSenders(float[] masks, int k) {
            int s = layout.senders;
            boolean[] read = new boolean[s];
            for (int i = 0; i < k * layout.receivers; i++) {
                int base = i * s;
                for (int col = 0; col < s; col++) {
                    read[col] |= masks[base + col] != 0f;
                }
            }
            return read;
        }

        /** Those of {@code senders} (ascending) that some hypothesis connects to some of the receivers. */
        private int[] connected(float[] masks, int k, int[] rows, int[] senders) {
            int r = layout.receivers;
            int s = layout.senders;
            BitSet used = new BitSet();
            for (int i = 0; i < k; i++) {
                for (int row : rows) {
                    int base = (i * r + row) * s;
                    for (int col : senders) {
                        if (masks[base + col] != 0f) {
                            used.set(col);
                        }
                    }
                }
            }
            return used.stream().toArray();
        }

        /** The masks restricted to the given receivers and sender columns, [K, rows, cols]. */
        private float[] compact(float[] masks, int k, int[] rows, int[] cols) {
            int r = layout.receivers;
            int s = layout.senders;
            float[] out = new float[k * rows.length * cols.length];
            int o = 0;
            for (int i = 0; i < k; i++) {
                for (int row : rows) {
                    int base = (i * r + row) * s;
                    for (int col : cols) {
                        out[o++] = masks[base + col];
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            nd.close();
        }
    }
}
