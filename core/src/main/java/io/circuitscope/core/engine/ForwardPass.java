package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ParameterLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/** One forward pass of a {@link HookedTransformer} inside one scope, applying the run's patches and caching. */
final class ForwardPass {
    private final ModelConfig config;
    private final Map<String, NDArray> params;
    private final NDManager scope;
    private final RunOptions options;
    private final Map<String, NDArray> cached = new LinkedHashMap<>();
    private final Map<String, NDArray> gradientLeaves = new LinkedHashMap<>();
    private final RotaryEmbedding rotary;
    private NDArray[] rotaryTables;

    ForwardPass(ModelConfig config, Map<String, NDArray> params, NDManager scope, RunOptions options,
                RotaryEmbedding rotary) {
        this.config = config;
        this.params = params;
        this.scope = scope;
        this.options = options;
        this.rotary = rotary;
    }

    /** The scope every array of this pass lands in. */
    NDManager scope() {
        return scope;
    }

    Map<String, NDArray> cached() {
        return cached;
    }

    /** The zero leaves added at differentiated hooks; their gradients are the gradients at those hooks. */
    Map<String, NDArray> gradientLeaves() {
        return gradientLeaves;
    }

    NDArray logits(NDArray ids) {
        return unembed(blocks(embed(ids), 0));
    }

    /** hook_embed + hook_pos_embed (hook_embed alone in a rotary model): the residual stream entering layer 0. */
    NDArray embed(NDArray ids) {
        long batch = ids.getShape().get(0);
        long pos = ids.getShape().get(1);
        NDArray embed = hook(HookNames.EMBED, param("embed.W_E").get(ids));
        if (config.rotary()) {
            return embed;
        }
        NDArray posEmbed = param("pos_embed.W_pos").get("0:" + pos).expandDims(0)
                .broadcast(batch, pos, config.dModel());
        if (options.caches(HookNames.POS_EMBED) || options.intervenes(HookNames.POS_EMBED)) {
            // The broadcast is a view of W_pos: a patch or a caller editing it in place would change the model.
            posEmbed = posEmbed.duplicate();
        }
        posEmbed = hook(HookNames.POS_EMBED, posEmbed);
        return embed.add(posEmbed);
    }

    /** Layers {@code from} to the last, from the residual stream entering {@code from}. */
    NDArray blocks(NDArray resid, int from) {
        return blocks(resid, from, config.nLayers());
    }

    /** Layers {@code from} (inclusive) to {@code to} (exclusive), from the residual stream entering {@code from}. */
    NDArray blocks(NDArray resid, int from, int to) {
        NDArray mask = causalMask(resid.getShape().get(1));
        // Without hooks or autograd nothing needs a block's intermediates once its output exists.
        boolean freeEachLayer = options.observesNothing() && !JniUtils.isGradMode();
        NDArray out = resid;
        for (int l = from; l < to; l++) {
            out = freeEachLayer ? blockInOwnScope(l, out, mask, l > from) : block(l, out, mask);
        }
        return out;
    }

    /**
     * Block l with its intermediates in a scope of their own, closed as soon as the output exists, so that the next
     * layer reuses memory that is still mapped and in cache instead of faulting in fresh pages, and a pass holds one
     * layer's activations rather than every layer's. The block's input goes with it unless the caller owns it.
     */
    private NDArray blockInOwnScope(int l, NDArray in, NDArray mask, boolean inputIsOurs) {
        try (NDManager layer = scope.newSubManager()) {
            if (inputIsOurs) {
                in.attach(layer);
            } else {
                in.tempAttach(layer);
            }
            NDArray out = block(l, in, mask);
            out.attach(scope);
            return out;
        }
    }

    /** The final normalization and unembedding, at every position or only at the run's chosen positions. */
    NDArray unembed(NDArray resid) {
        NDArray normalized = norm(resid, "ln_final");
        int[] positions = options.logitPositions();
        if (positions != null) {
            long pos = resid.getShape().get(1);
            long[] picked = new long[positions.length];
            for (int i = 0; i < positions.length; i++) {
                if (positions[i] < 0 || positions[i] >= pos) {
                    throw new IllegalArgumentException("logit position " + positions[i] + " is outside the "
                            + pos + " positions of this batch");
                }
                picked[i] = positions[i];
            }
            // Gather along the position axis by moving it first, as the embedding gathers rows of W_E.
            normalized = normalized.transpose(1, 0, 2).get(scope.create(picked)).transpose(1, 0, 2);
        }
        return TensorOps.affine(normalized, param("unembed.W_U"), param("unembed.b_U"));
    }

    private NDArray block(int l, NDArray residIn, NDArray mask) {
        String p = "blocks." + l + ".";
        NDArray resid = hook(HookNames.residPre(l), residIn);
        boolean kvSplit = options.intervenes(HookNames.kInput(l)) || options.intervenes(HookNames.vInput(l));
        NDArray attnOut;
        if (options.intervenes(HookNames.qInput(l)) || kvSplit) {
            // Split inputs: each head reads its own (possibly patched) copy of the stream, normalized separately.
            // Keys and values of a grouped model stay grouped unless their own inputs are split.
            NDArray copies = perHeadCopies(resid);
            NDArray qInput = hook(HookNames.qInput(l), copies);
            // A patched ln1 must see every input per head, so it ungroups the keys and values too.
            boolean ln1Patched = options.intervenes(HookNames.ln1Scale(l))
                    || options.intervenes(HookNames.ln1Normalized(l));
            if (kvSplit || !config.grouped() || ln1Patched) {
                attnOut = attentionFromInputs(l, qInput, hook(HookNames.kInput(l), copies),
                        hook(HookNames.vInput(l), copies), mask, false).out();
            } else {
                cacheInputCopies(resid, HookNames.kInput(l), HookNames.vInput(l));
                NDArray q = TensorOps.projectPerHead(norm(qInput, p + "ln1"), param(p + "attn.W_Q"),
                        param(p + "attn.b_Q"));
                // ln1's hooks have fired for the queries' per-head inputs; the shared keys and values do not fire
                // them again with another shape.
                NDArray normed = norm(resid, p + "ln1", false);
                attnOut = attentionFromQkv(l, q, projectStoredKeyValue(normed, l, "K"),
                        projectStoredKeyValue(normed, l, "V"), mask, false).out();
            }
        } else {
            // The per-head copies are all equal, so caching them keeps one shared normalization and projection.
            cacheInputCopies(resid, HookNames.qInput(l), HookNames.kInput(l), HookNames.vInput(l));
            NDArray normed = norm(resid, p + "ln1");
            attnOut = attentionFromQkv(l, TensorOps.projectShared(normed, param(p + "attn.W_Q"), param(p + "attn.b_Q")),
                    projectStoredKeyValue(normed, l, "K"), projectStoredKeyValue(normed, l, "V"), mask, false).out();
        }
        if (!config.hasMlp()) {
            return hook(HookNames.residPost(l), resid.add(attnOut));
        }
        if (config.parallel()) {
            // Attention and MLP both read resid_pre; TransformerLens's mlp_in is a copy here too.
            NDArray mlpIn = hook(HookNames.mlpIn(l), options.patches(HookNames.mlpIn(l)) ? resid.duplicate() : resid);
            NDArray mlpOut = mlp(l, mlpIn);
            return hook(HookNames.residPost(l), TensorOps.addToFresh(resid.add(attnOut), mlpOut));
        }
        NDArray mid = hook(HookNames.residMid(l), resid.add(attnOut));
        // TransformerLens clones here too: a patch on mlp_in must never reach the residual stream through mid.
        NDArray mlpIn = hook(HookNames.mlpIn(l), options.patches(HookNames.mlpIn(l)) ? mid.duplicate() : mid);
        return hook(HookNames.residPost(l), mid.add(mlp(l, mlpIn)));
    }

    private void cacheInputCopies(NDArray resid, String... inputs) {
        for (String input : inputs) {
            if (options.caches(input)) {
                cached.put(input, perHeadCopies(resid));
            }
        }
    }

    /** Keys or values ({@code which} K or V) of every stored key-value head from the shared normalized stream. */
    private NDArray projectStoredKeyValue(NDArray normed, int l, String which) {
        return TensorOps.projectShared(normed, param(ParameterLayout.keyValueName(config, l, "W_" + which)),
                param(ParameterLayout.keyValueName(config, l, "b_" + which)));
    }

    /**
     * A key or value parameter ({@code W_K}, {@code b_K}, {@code W_V} or {@code b_V}) of layer l once per query
     * head, for the given heads or all of them: a grouped model's shared rows repeated for each head that reads them.
     */
    private NDArray keyValue(int l, String name, long[] heads) {
        return KeyValueHeads.forQueryHeads(config, scope, param(ParameterLayout.keyValueName(config, l, name)), heads);
    }

    /**
     * Attention of layer l from separate per-head inputs [batch, pos, head, d_model] for queries, keys and values,
     * each normalized by ln1 per head: the split-input path of {@link #block}, and what an edge-level forward needs.
     */
    AttentionResult attentionFromInputs(int l, NDArray qInput, NDArray kInput, NDArray vInput, NDArray mask,
                                        boolean perHead) {
        String p = "blocks." + l + ".";
        String ln1 = p + "ln1";
        NDArray q = TensorOps.projectPerHead(norm(qInput, ln1), param(p + "attn.W_Q"), param(p + "attn.b_Q"));
        NDArray k = TensorOps.projectPerHead(norm(kInput, ln1), keyValue(l, "W_K", null), keyValue(l, "b_K", null));
        NDArray v = TensorOps.projectPerHead(norm(vInput, ln1), keyValue(l, "W_V", null), keyValue(l, "b_V", null));
        return attentionFromQkv(l, q, k, v, mask, perHead);
    }

    /**
     * The outputs [batch, pos, heads.length, d_model] (without b_O) of the chosen heads of layer l, each from its own
     * query, key and value inputs [batch, pos, heads.length, d_model]: the other heads are not computed at all.
     */
    NDArray headOutputs(int l, long[] heads, NDArray qInput, NDArray kInput, NDArray vInput, NDArray mask) {
        String p = "blocks." + l + ".";
        String ln1 = p + "ln1";
        NDArray idx = scope.create(heads);
        NDArray q = TensorOps.projectPerHead(norm(qInput, ln1), param(p + "attn.W_Q").get(idx),
                param(p + "attn.b_Q").get(idx));
        NDArray k = TensorOps.projectPerHead(norm(kInput, ln1), keyValue(l, "W_K", heads),
                keyValue(l, "b_K", heads));
        NDArray v = TensorOps.projectPerHead(norm(vInput, ln1), keyValue(l, "W_V", heads),
                keyValue(l, "b_V", heads));
        if (config.rotary()) {
            q = rotary.apply(q, rotaryTables(q.getShape().get(1)));
            k = rotary.apply(k, rotaryTables(k.getShape().get(1)));
        }
        NDArray scores = TensorOps.scaleFresh(q.transpose(0, 2, 1, 3).matMul(k.transpose(0, 2, 3, 1)),
                1.0 / Math.sqrt(config.dHead()));
        NDArray pattern = TensorOps.addToFresh(scores, mask).softmax(-1);
        NDArray z = pattern.matMul(v.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3);
        return TensorOps.projectPerHead(z, param(p + "attn.W_O").get(idx), null);
    }

    /**
     * Scores, pattern, z, the heads' outputs and their sum plus b_O, from queries, keys and values [batch, pos, head,
     * d_head]. Each head's output is formed only when it is hooked or {@code perHead} asks for it.
     */
    private AttentionResult attentionFromQkv(int l, NDArray qIn, NDArray kIn, NDArray vIn, NDArray mask,
                                             boolean perHead) {
        String p = "blocks." + l + ".";
        NDArray q = hook(HookNames.q(l), qIn);
        NDArray k = hook(HookNames.k(l), kIn);
        NDArray v = hook(HookNames.v(l), vIn);
        if (config.rotary()) {
            NDArray[] tables = rotaryTables(q.getShape().get(1));
            q = hook(HookNames.rotQ(l), rotary.apply(q, tables));
            k = hook(HookNames.rotK(l), rotary.apply(k, tables));
        }
        Shape qs = q.getShape();
        long batch = qs.get(0);
        long pos = qs.get(1);
        long heads = qs.get(2);
        long groups = k.getShape().get(2);
        // Grouped keys and values are never repeated: the query heads of a group are stacked along the query axis,
        // [batch, group, heads per group × pos, d_head], and multiply their group's keys in one matmul.
        NDArray qh = q.transpose(0, 2, 1, 3).reshape(batch, groups, heads / groups * pos, config.dHead());
        NDArray kh = k.transpose(0, 2, 3, 1);
        NDArray vh = v.transpose(0, 2, 1, 3);
        NDArray scores = TensorOps.scaleFresh(qh.matMul(kh).reshape(batch, heads, pos, pos),
                1.0 / Math.sqrt(config.dHead()));
        scores = TensorOps.addToFresh(scores, mask);
        scores = hook(HookNames.attnScores(l), scores);
        NDArray pattern = hook(HookNames.pattern(l), scores.softmax(-1));
        NDArray mixed = pattern.reshape(batch, groups, heads / groups * pos, pos).matMul(vh)
                .reshape(batch, heads, pos, config.dHead());
        NDArray z = hook(HookNames.z(l), mixed.transpose(0, 2, 1, 3));
        String resultHook = HookNames.result(l);
        NDArray result = null;
        NDArray attnOut;
        if (perHead || options.caches(resultHook) || options.intervenes(resultHook)) {
            result = hook(resultHook, TensorOps.projectPerHead(z, param(p + "attn.W_O"), null));
            attnOut = TensorOps.addToFresh(result.sum(new int[] {2}), param(p + "attn.b_O"));
        } else {
            attnOut = TensorOps.mergeHeads(z, param(p + "attn.W_O"), param(p + "attn.b_O"));
        }
        return new AttentionResult(result, pattern, hook(HookNames.attnOut(l), attnOut));
    }

    /**
     * The MLP of layer l from its input hook_mlp_in [batch, pos, d_model]: ln2, then W_in, the activation and W_out,
     * or for a gated MLP act(x W_gate) * (x W_in) + b_in before W_out, as TransformerLens's GatedMLP computes it.
     */
    NDArray mlp(int l, NDArray mlpIn) {
        String p = "blocks." + l + ".";
        NDArray normed = norm(mlpIn, p + "ln2");
        NDArray post;
        if (config.gated()) {
            NDArray pre = hook(HookNames.mlpPre(l), normed.matMul(param(p + "mlp.W_gate")));
            NDArray linear = hook(HookNames.mlpPreLinear(l), normed.matMul(param(p + "mlp.W_in")));
            // TransformerLens's GatedMLP adds b_in after the product, not inside the linear half.
            post = hook(HookNames.mlpPost(l), TensorOps.addToFresh(TensorOps.activation(pre, config.actFn())
                    .mul(linear), param(p + "mlp.b_in")));
        } else {
            NDArray pre = hook(HookNames.mlpPre(l),
                    TensorOps.affine(normed, param(p + "mlp.W_in"), param(p + "mlp.b_in")));
            post = hook(HookNames.mlpPost(l), TensorOps.activation(pre, config.actFn()));
        }
        NDArray mlpOut = TensorOps.affine(post, param(p + "mlp.W_out"), param(p + "mlp.b_out"));
        return hook(HookNames.mlpOut(l), mlpOut);
    }

    /** cos and sin for the pass's positions, made once per pass. */
    private NDArray[] rotaryTables(long positions) {
        if (rotaryTables == null || rotaryTables[0].getShape().get(1) != positions) {
            rotaryTables = rotary.tables(scope, positions);
        }
        return rotaryTables;
    }

    /** The residual stream as one broadcast (not copied) view per head, [batch, pos, head, d_model]. */
    private NDArray perHeadCopies(NDArray resid) {
        Shape s = resid.getShape();
        return resid.expandDims(2).broadcast(s.get(0), s.get(1), config.nHeads(), s.get(2));
    }

    /**
     * The model's normalization under {@code prefix} (ln1, ln2 or ln_final) with its hook_scale and hook_normalized.
     * Only when hook_scale is patched is LayerNorm spelled out, so that the patched divisor is the one used; otherwise
     * the fused kernel runs, and the scale is computed on the side only if it is cached. RMSNorm is always spelled
     * out, as DJL has no kernel for it, and its hook_normalized comes before the weight, as in TransformerLens's
     * RMSNorm (LayerNorm's comes after weight and bias).
     */
    NDArray norm(NDArray x, String prefix) {
        return norm(x, prefix, true);
    }

    /** The normalization, its hooks fired only when {@code hooked}. */
    private NDArray norm(NDArray x, String prefix, boolean hooked) {
        ModelConfig.Normalization kind = config.normalization();
        if (kind == ModelConfig.Normalization.NONE) {
            return x;
        }
        String scaleHook = prefix + ".hook_scale";
        String normalizedHook = prefix + ".hook_normalized";
        if (kind.isRms()) {
            NDArray scale = x.square().mean(new int[] {-1}, true).add(config.eps()).sqrt();
            NDArray y = x.div(hooked ? hook(scaleHook, scale) : scale);
            return scaled(hooked ? hook(normalizedHook, y) : y, prefix);
        }
        if (!hooked) {
            return normWithoutHooks(x, prefix);
        }
        if (options.intervenes(scaleHook)) {
            NDArray centered = x.sub(x.mean(new int[] {-1}, true));
            NDArray scale = hook(scaleHook, centered.square().mean(new int[] {-1}, true).add(config.eps()).sqrt());
            return hook(normalizedHook, scaled(centered.div(scale), prefix));
        }
        if (options.caches(scaleHook)) {
            NDArray centered = x.sub(x.mean(new int[] {-1}, true));
            cached.put(scaleHook, centered.square().mean(new int[] {-1}, true).add(config.eps()).sqrt());
        }
        return hook(normalizedHook, normWithoutHooks(x, prefix));
    }

    /** LayerNorm by the fused kernel. */
    private NDArray normWithoutHooks(NDArray x, String prefix) {
        boolean learned = config.normalization() == ModelConfig.Normalization.LN;
        return TensorOps.layerNorm(x, learned ? param(prefix + ".w") : null, learned ? param(prefix + ".b") : null,
                config.eps());
    }

    /** The normalized y with the normalization's learned weight (and LayerNorm's bias) applied, if it has them. */
    private NDArray scaled(NDArray y, String prefix) {
        ModelConfig.Normalization kind = config.normalization();
        NDArray out = kind.hasWeight() ? y.mul(param(prefix + ".w")) : y;
        return kind == ModelConfig.Normalization.LN ? out.add(param(prefix + ".b")) : out;
    }

    private NDArray hook(String name, NDArray value) {
        NDArray out = value;
        ActivationPatch patch = options.patch(name);
        if (patch != null) {
            NDArray patched = patch.apply(value);
            if (!patched.getShape().equals(value.getShape())) {
                throw new IllegalArgumentException("patch for " + name + " returned shape " + patched.getShape()
                        + ", expected " + value.getShape());
            }
            // A patch may return an array owned by another manager; adding it to zeros of this scope makes the
            // rest of the pass (and its cleanup) stay inside the scope.
            out = patched.getManager() == scope ? patched : value.zerosLike().add(patched);
        }
        if (options.caches(name)) {
            cached.put(name, out);
        }
        if (options.wantsGradient(name)) {
            // value + 0 with the zero a fresh leaf: the pass is unchanged, the graph stays connected through the hook
            // (so gradients at earlier hooks still see every path), and the leaf's gradient is the hook's gradient.
            NDArray leaf = scope.zeros(out.getShape());
            leaf.setRequiresGradient(true);
            gradientLeaves.put(name, leaf);
            out = out.add(leaf);
        }
        return out;
    }

    /**
     * The normalization under {@code prefix} with a given divisor [.., 1] instead of the computed one: frozen, the
     * normalization is linear in x, which linearised attribution methods (EAP) assume.
     */
    NDArray normWithScale(NDArray x, String prefix, NDArray scale) {
        ModelConfig.Normalization kind = config.normalization();
        if (kind == ModelConfig.Normalization.NONE) {
            return x;
        }
        NDArray centered = kind.isRms() ? x : x.sub(x.mean(new int[] {-1}, true));
        return scaled(centered.div(scale), prefix);
    }

    /**
     * -infinity where a query may not attend: keys after it, and in a sliding-window model keys window_size or more
     * positions before it (transformers keeps key j for query i when i - j < window).
     */
    NDArray causalMask(long pos) {
        int n = Math.toIntExact(pos);
        float[] m = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                boolean outsideWindow = config.windowSize() != null && i - j >= config.windowSize();
                if (j > i || outsideWindow) {
                    m[i * n + j] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        return scope.create(m, new Shape(n, n));
    }

    private NDArray param(String name) {
        NDArray p = params.get(name);
        if (p == null) {
            throw new IllegalStateException("model has no parameter " + name);
        }
        return p;
    }
}
