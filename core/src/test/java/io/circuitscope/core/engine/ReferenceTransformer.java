package io.circuitscope.core.engine;

import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * A plain-Java float64 forward pass with TransformerLens semantics and hook points, written for clarity as the test
 * oracle of the DJL forward pass on small configs: LayerNorm or RMSNorm, learned or rotary positions (with Llama 3
 * scaling), full or grouped-query attention with an optional sliding window, plain or gated MLPs, and sequential or
 * parallel blocks.
 */
final class ReferenceTransformer {

    /**
     * Sees every activation at its hook point and returns the value the forward pass continues with; the pass never
     * writes into a tensor it has handed over, so a hook may keep what it sees without copying.
     */
    @FunctionalInterface
    interface Hook {
        /**
         * Returns {@code value} itself to observe only, or a tensor of the same shape to patch the activation.
         */
        DoubleTensor apply(String hookName, DoubleTensor value);
    }

    private final ModelConfig config;
    private final Map<String, DoubleTensor> params = new HashMap<>();
    private final DoubleUnaryOperator activation;

    ReferenceTransformer(ModelWeights weights) {
        this.config = weights.config();
        for (Map.Entry<String, FloatTensor> e : weights.tensors().entrySet()) {
            params.put(e.getKey(), DoubleTensor.of(e.getValue()));
        }
        // Attn-only configs may leave act_fn unset, so resolve it only when an MLP will use it.
        this.activation = config.hasMlp() ? activation(config.actFn()) : null;
    }

    /** The logits [B, P, V] for tokens [B][P], with no hook. */
    DoubleTensor logits(int[][] tokens) {
        return logits(tokens, (name, value) -> value);
    }

    /** The logits [B, P, V] for tokens [B][P], calling {@code hook} at every hook point in forward order. */
    DoubleTensor logits(int[][] tokens, Hook hook) {
        checkTokens(tokens);
        DoubleTensor resid = call(hook, "hook_embed", embed(tokens));
        if (!config.rotary()) {
            resid = add(resid, call(hook, "hook_pos_embed", posEmbed(tokens.length, tokens[0].length)));
        }
        for (int layer = 0; layer < config.nLayers(); layer++) {
            resid = block(layer, resid, hook);
        }
        DoubleTensor normalized = normalize(resid, "ln_final", hook);
        return linear(normalized, param("unembed.W_U"), param("unembed.b_U"));
    }

    /** One transformer block: attention, then (unless attn-only) the MLP, each added to the residual stream. */
    private DoubleTensor block(int layer, DoubleTensor resid, Hook hook) {
        String b = "blocks." + layer + ".";
        DoubleTensor residPre = call(hook, b + "hook_resid_pre", resid);

        // Each head reads its own copy of the residual stream, separately for q, k and v. While no hook replaces a
        // copy, ln1 normalizes the shared stream once (TransformerLens's default); once one does, ln1 runs on each
        // per-head input in turn (use_split_qkv_input), so its hooks fire three times with per-head shapes.
        DoubleTensor[] copies = {headCopies(residPre, config.nHeads()), headCopies(residPre, config.nHeads()),
            headCopies(residPre, config.nHeads())};
        DoubleTensor qInput = call(hook, b + "hook_q_input", copies[0]);
        DoubleTensor kInput = call(hook, b + "hook_k_input", copies[1]);
        DoubleTensor vInput = call(hook, b + "hook_v_input", copies[2]);
        boolean split = qInput != copies[0] || kInput != copies[1] || vInput != copies[2];
        // A grouped model keeps one key and value per key-value head unless a key or value input is replaced; then,
        // as TransformerLens's ungrouped attention, every query head gets its own.
        boolean kvSplit = config.grouped() ? kInput != copies[1] || vInput != copies[2] : split;
        DoubleTensor sharedNormalized = split ? null : normalize(residPre, b + "ln1", hook);
        DoubleTensor q = call(hook, b + "attn.hook_q", perHeadProject(split ? normalize(qInput, b + "ln1", hook)
                : headCopies(sharedNormalized, config.nHeads()), param(b + "attn.W_Q"), param(b + "attn.b_Q")));
        DoubleTensor k;
        DoubleTensor v;
        if (kvSplit) {
            k = call(hook, b + "attn.hook_k", perHeadProject(normalize(kInput, b + "ln1", hook),
                    perQueryHead(layer, "W_K"), perQueryHead(layer, "b_K")));
            v = call(hook, b + "attn.hook_v", perHeadProject(normalize(vInput, b + "ln1", hook),
                    perQueryHead(layer, "W_V"), perQueryHead(layer, "b_V")));
        } else {
            // With only the queries split, ln1's hooks have fired for them and do not fire again.
            DoubleTensor shared = headCopies(sharedNormalized != null ? sharedNormalized
                    : normalize(residPre, b + "ln1", (name, value) -> value), config.kvHeads());
            k = call(hook, b + "attn.hook_k", perHeadProject(shared, stored(layer, "W_K"), stored(layer, "b_K")));
            v = call(hook, b + "attn.hook_v", perHeadProject(shared, stored(layer, "W_V"), stored(layer, "b_V")));
        }
        if (config.rotary()) {
            q = call(hook, b + "attn.hook_rot_q", rotate(q));
            k = call(hook, b + "attn.hook_rot_k", rotate(k));
        }
        DoubleTensor scores = call(hook, b + "attn.hook_attn_scores", attentionScores(q, k));
        DoubleTensor pattern = call(hook, b + "attn.hook_pattern", softmaxOverKeys(scores));
        DoubleTensor z = call(hook, b + "attn.hook_z", mixValues(pattern, v));
        DoubleTensor result = call(hook, b + "attn.hook_result", perHeadProject(z, param(b + "attn.W_O"), null));
        DoubleTensor attnOut = call(hook, b + "hook_attn_out", sumHeads(result, param(b + "attn.b_O")));

        DoubleTensor residPost;
        if (config.hasMlp()) {
            DoubleTensor residMid = config.parallel() ? residPre
                    : call(hook, b + "hook_resid_mid", add(residPre, attnOut));
            // A copy, as in TransformerLens, so that patching mlp_in in place cannot leak into resid_mid's own path.
            DoubleTensor mlpIn = call(hook, b + "hook_mlp_in", residMid.copy());
            DoubleTensor normalized = normalize(mlpIn, b + "ln2", hook);
            DoubleTensor post;
            if (config.gated()) {
                DoubleTensor pre = call(hook, b + "mlp.hook_pre", linear(normalized, param(b + "mlp.W_gate"), null));
                DoubleTensor linear = call(hook, b + "mlp.hook_pre_linear",
                        linear(normalized, param(b + "mlp.W_in"), null));
                post = call(hook, b + "mlp.hook_post", add(multiply(map(pre, activation), linear),
                        broadcastRows(param(b + "mlp.b_in"), linear.shape)));
            } else {
                DoubleTensor pre = call(hook, b + "mlp.hook_pre",
                        linear(normalized, param(b + "mlp.W_in"), param(b + "mlp.b_in")));
                post = call(hook, b + "mlp.hook_post", map(pre, activation));
            }
            DoubleTensor mlpOut = call(hook, b + "hook_mlp_out",
                    linear(post, param(b + "mlp.W_out"), param(b + "mlp.b_out")));
            residPost = config.parallel() ? add(add(residPre, attnOut), mlpOut) : add(residMid, mlpOut);
        } else {
            residPost = add(residPre, attnOut);
        }
        return call(hook, b + "hook_resid_post", residPost);
    }

    /** A key or value parameter of {@code layer} as stored, [kv_heads, ..]. */
    private DoubleTensor stored(int layer, String name) {
        return param(ParameterLayout.keyValueName(config, layer, name));
    }

    /** A key or value parameter [kv_heads, ..] repeated for each query head that reads it, [n_heads, ..]. */
    private DoubleTensor perQueryHead(int layer, String name) {
        DoubleTensor stored = stored(layer, name);
        int per = stored.size() / stored.dim(0);
        int[] shape = stored.shape.clone();
        shape[0] = config.nHeads();
        double[] out = new double[config.nHeads() * per];
        for (int h = 0; h < config.nHeads(); h++) {
            System.arraycopy(stored.data, config.kvHeadOf(h) * per, out, h * per, per);
        }
        return new DoubleTensor(out, shape);
    }

    /**
     * The rotary embedding of queries or keys [B, P, H, dh]: in each head, dimensions i and i + r/2 (i < r/2, r the
     * rotary dimensions) rotate by the angle position × θ^(-2i/r), rescaled by parts for Llama 3; the rest pass.
     */
    private DoubleTensor rotate(DoubleTensor x) {
        int r = config.rotaryDims();
        int half = r / 2;
        double[] freq = new double[half];
        for (int i = 0; i < half; i++) {
            freq[i] = Math.pow(config.rotaryTheta(), -2.0 * i / r);
            if (config.ntkByParts()) {
                freq[i] = llama3(freq[i]);
            }
        }
        DoubleTensor out = x.copy();
        for (int bi = 0; bi < x.dim(0); bi++) {
            for (int p = 0; p < x.dim(1); p++) {
                for (int h = 0; h < x.dim(2); h++) {
                    for (int i = 0; i < half; i++) {
                        double c = Math.cos(p * freq[i]);
                        double sn = Math.sin(p * freq[i]);
                        double a = x.get(bi, p, h, i);
                        double bb = x.get(bi, p, h, i + half);
                        out.set(a * c - bb * sn, bi, p, h, i);
                        out.set(bb * c + a * sn, bi, p, h, i + half);
                    }
                }
            }
        }
        return out;
    }

    /** Llama 3's rescaling of one frequency: long wavelengths slowed by the factor, short kept, the band between blended. */
    private double llama3(double f) {
        double wavelength = 2 * Math.PI / f;
        double original = config.ntkOriginalCtxLen();
        double low = config.ntkByPartsLowFreqFactor();
        double high = config.ntkByPartsHighFreqFactor();
        if (wavelength < original / high) {
            return f;
        }
        if (wavelength > original / low) {
            return f / config.ntkByPartsFactor();
        }
        double smooth = (original / wavelength - low) / (high - low);
        return (1 - smooth) * f / config.ntkByPartsFactor() + smooth * f;
    }

    /** A vector [n] repeated along every leading axis of {@code shape} (whose last axis is n). */
    private static DoubleTensor broadcastRows(DoubleTensor v, int[] shape) {
        int n = v.size();
        double[] out = new double[java.util.Arrays.stream(shape).reduce(1, (a, c) -> a * c)];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.data[i % n];
        }
        return new DoubleTensor(out, shape);
    }

    private static DoubleTensor multiply(DoubleTensor a, DoubleTensor b) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.data[i] * b.data[i];
        }
        return new DoubleTensor(out, a.shape);
    }

    /** hook_embed [B, P, D]: the embedding row of each token. */
    private DoubleTensor embed(int[][] tokens) {
        DoubleTensor wE = param("embed.W_E");
        int batch = tokens.length;
        int positions = tokens[0].length;
        int d = config.dModel();
        DoubleTensor out = DoubleTensor.zeros(batch, positions, d);
        for (int bi = 0; bi < batch; bi++) {
            for (int p = 0; p < positions; p++) {
                for (int i = 0; i < d; i++) {
                    out.set(wE.get(tokens[bi][p], i), bi, p, i);
                }
            }
        }
        return out;
    }

    /** hook_pos_embed [B, P, D]: the positional embedding of positions 0..P-1, the same for every batch row. */
    private DoubleTensor posEmbed(int batch, int positions) {
        DoubleTensor wPos = param("pos_embed.W_pos");
        int d = config.dModel();
        DoubleTensor out = DoubleTensor.zeros(batch, positions, d);
        for (int bi = 0; bi < batch; bi++) {
            for (int p = 0; p < positions; p++) {
                for (int i = 0; i < d; i++) {
                    out.set(wPos.get(p, i), bi, p, i);
                }
            }
        }
        return out;
    }

    /** [B, P, D] to [B, P, heads, D]: the residual stream repeated once per head. */
    private DoubleTensor headCopies(DoubleTensor resid, int heads) {
        int batch = resid.dim(0);
        int positions = resid.dim(1);
        int d = config.dModel();
        DoubleTensor out = DoubleTensor.zeros(batch, positions, heads, d);
        for (int bi = 0; bi < batch; bi++) {
            for (int p = 0; p < positions; p++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < d; i++) {
                        out.set(resid.get(bi, p, i), bi, p, h, i);
                    }
                }
            }
        }
        return out;
    }

    /**
     * x [B, P, H, in] with W [H, in, out] and an optional bias [H, out] to [B, P, H, out]: x[b,p,h] @ W[h] + bias[h].
     * Queries, keys and values use it with their biases; hook_result uses it with W_O and no bias.
     */
    private static DoubleTensor perHeadProject(DoubleTensor x, DoubleTensor w, DoubleTensor bias) {
        int batch = x.dim(0);
        int positions = x.dim(1);
        int heads = w.dim(0);
        int in = w.dim(1);
        int outDim = w.dim(2);
        DoubleTensor out = DoubleTensor.zeros(batch, positions, heads, outDim);
        for (int bi = 0; bi < batch; bi++) {
            for (int p = 0; p < positions; p++) {
                for (int h = 0; h < heads; h++) {
                    for (int j = 0; j < outDim; j++) {
                        double sum = bias == null ? 0 : bias.get(h, j);
                        for (int i = 0; i < in; i++) {
                            sum += x.get(bi, p, h, i) * w.get(h, i, j);
                        }
                        out.set(sum, bi, p, h, j);
                    }
                }
            }
        }
        return out;
    }

    /** The head of keys or values [B, P, heads, dh] that query head h reads: its own, or its group's. */
    private int keyValueHead(DoubleTensor kv, int h) {
        return kv.dim(2) == config.nHeads() ? h : config.kvHeadOf(h);
    }

    /**
     * hook_attn_scores [B, H, Pq, Pk]: q.k / sqrt(dh), with keys after the query (and, with a sliding window, keys
     * window_size or more positions before it) masked to -Infinity.
     */
    private DoubleTensor attentionScores(DoubleTensor q, DoubleTensor k) {
        int batch = q.dim(0);
        int positions = q.dim(1);
        int heads = config.nHeads();
        int dh = config.dHead();
        double scale = Math.sqrt(dh);
        DoubleTensor out = DoubleTensor.zeros(batch, heads, positions, positions);
        for (int bi = 0; bi < batch; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int qp = 0; qp < positions; qp++) {
                    for (int kp = 0; kp < positions; kp++) {
                        double score = Double.NEGATIVE_INFINITY;
                        boolean inWindow = config.windowSize() == null || qp - kp < config.windowSize();
                        if (kp <= qp && inWindow) {
                            double dot = 0;
                            for (int j = 0; j < dh; j++) {
                                dot += q.get(bi, qp, h, j) * k.get(bi, kp, keyValueHead(k, h), j);
                            }
                            score = dot / scale;
                        }
                        out.set(score, bi, h, qp, kp);
                    }
                }
            }
        }
        return out;
    }

    /** hook_pattern [B, H, Pq, Pk]: softmax over the last axis, shifted by the row maximum so exp cannot overflow. */
    private static DoubleTensor softmaxOverKeys(DoubleTensor scores) {
        int batch = scores.dim(0);
        int heads = scores.dim(1);
        int queries = scores.dim(2);
        int keys = scores.dim(3);
        DoubleTensor out = DoubleTensor.zeros(batch, heads, queries, keys);
        for (int bi = 0; bi < batch; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int qp = 0; qp < queries; qp++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int kp = 0; kp < keys; kp++) {
                        max = Math.max(max, scores.get(bi, h, qp, kp));
                    }
                    // A row a hook masked entirely would be 0/0; TransformerLens turns those NaNs into 0, so the
                    // row stays all zeros here.
                    if (max == Double.NEGATIVE_INFINITY) {
                        continue;
                    }
                    double sum = 0;
                    for (int kp = 0; kp < keys; kp++) {
                        sum += Math.exp(scores.get(bi, h, qp, kp) - max);
                    }
                    for (int kp = 0; kp < keys; kp++) {
                        out.set(Math.exp(scores.get(bi, h, qp, kp) - max) / sum, bi, h, qp, kp);
                    }
                }
            }
        }
        return out;
    }

    /** hook_z [B, P, H, dh]: z[b,q,h] = sum over k of pattern[b,h,q,k] * v[b,k,h]. */
    private DoubleTensor mixValues(DoubleTensor pattern, DoubleTensor v) {
        int batch = v.dim(0);
        int positions = v.dim(1);
        int heads = config.nHeads();
        int dh = config.dHead();
        DoubleTensor out = DoubleTensor.zeros(batch, positions, heads, dh);
        for (int bi = 0; bi < batch; bi++) {
            for (int qp = 0; qp < positions; qp++) {
                for (int h = 0; h < heads; h++) {
                    for (int j = 0; j < dh; j++) {
                        double sum = 0;
                        for (int kp = 0; kp < positions; kp++) {
                            sum += pattern.get(bi, h, qp, kp) * v.get(bi, kp, keyValueHead(v, h), j);
                        }
                        out.set(sum, bi, qp, h, j);
                    }
                }
            }
        }
        return out;
    }

    /** hook_attn_out [B, P, D]: the sum of the heads' results plus b_O. */
    private DoubleTensor sumHeads(DoubleTensor result, DoubleTensor bO) {
        int batch = result.dim(0);
        int positions = result.dim(1);
        int heads = config.nHeads();
        int d = config.dModel();
        DoubleTensor out = DoubleTensor.zeros(batch, positions, d);
        for (int bi = 0; bi < batch; bi++) {
            for (int p = 0; p < positions; p++) {
                for (int i = 0; i < d; i++) {
                    double sum = bO.get(i);
                    for (int h = 0; h < heads; h++) {
                        sum += result.get(bi, p, h, i);
                    }
                    out.set(sum, bi, p, i);
                }
            }
        }
        return out;
    }

    /**
     * The model's normalization over the last axis of x (any rank), using {@code prefix.w} (LN, RMS) and
     * {@code prefix.b} (LN): x - mean (x itself for RMS), divided by hook_scale = sqrt(mean of squares + eps), then
     * scaled and shifted into hook_normalized.
     */
    private DoubleTensor normalize(DoubleTensor x, String prefix, Hook hook) {
        ModelConfig.Normalization kind = config.normalization();
        if (kind == ModelConfig.Normalization.NONE) {
            return x;
        }
        int width = x.dim(x.shape.length - 1);
        int rows = x.size() / width;
        DoubleTensor w = kind.hasWeight() ? param(prefix + ".w") : null;
        DoubleTensor bias = kind == ModelConfig.Normalization.LN ? param(prefix + ".b") : null;
        double[] centered = new double[x.size()];
        double[] scale = new double[rows];
        for (int r = 0; r < rows; r++) {
            int start = r * width;
            double mean = 0;
            for (int i = 0; i < width; i++) {
                mean += x.data[start + i];
            }
            // RMSNorm divides by the root mean square of x itself: nothing is subtracted.
            mean = kind.isRms() ? 0 : mean / width;
            double meanSquare = 0;
            for (int i = 0; i < width; i++) {
                centered[start + i] = x.data[start + i] - mean;
                meanSquare += centered[start + i] * centered[start + i];
            }
            scale[r] = Math.sqrt(meanSquare / width + config.eps());
        }
        int[] scaleShape = x.shape.clone();
        scaleShape[scaleShape.length - 1] = 1;
        DoubleTensor hookedScale = call(hook, prefix + ".hook_scale", new DoubleTensor(scale, scaleShape));
        double[] out = new double[x.size()];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < width; i++) {
                double y = centered[r * width + i] / hookedScale.data[r];
                // TransformerLens's RMSNorm hooks x / scale and applies w after; LayerNorm hooks after w and b.
                out[r * width + i] = kind.isRms() || w == null ? y : y * w.get(i) + (bias == null ? 0 : bias.get(i));
            }
        }
        DoubleTensor normalized = call(hook, prefix + ".hook_normalized", new DoubleTensor(out, x.shape));
        if (!kind.isRms() || w == null) {
            return normalized;
        }
        double[] weighted = new double[x.size()];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < width; i++) {
                weighted[r * width + i] = normalized.data[r * width + i] * w.get(i);
            }
        }
        return new DoubleTensor(weighted, x.shape);
    }

    /** x [..., in] @ W [in, out] + bias [out] (none when null), applied to every row of the last axis. */
    private static DoubleTensor linear(DoubleTensor x, DoubleTensor w, DoubleTensor bias) {
        int in = w.dim(0);
        int outWidth = w.dim(1);
        if (x.dim(x.shape.length - 1) != in) {
            throw new IllegalArgumentException("cannot multiply " + x + " by " + w);
        }
        int rows = x.size() / in;
        int[] outShape = x.shape.clone();
        outShape[outShape.length - 1] = outWidth;
        double[] out = new double[rows * outWidth];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < outWidth; j++) {
                double sum = bias == null ? 0 : bias.get(j);
                for (int i = 0; i < in; i++) {
                    sum += x.data[r * in + i] * w.get(i, j);
                }
                out[r * outWidth + j] = sum;
            }
        }
        return new DoubleTensor(out, outShape);
    }

    private static DoubleTensor add(DoubleTensor a, DoubleTensor b) {
        if (!Arrays.equals(a.shape, b.shape)) {
            throw new IllegalArgumentException("cannot add " + a + " and " + b);
        }
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.data[i] + b.data[i];
        }
        return new DoubleTensor(out, a.shape);
    }

    private static DoubleTensor map(DoubleTensor x, DoubleUnaryOperator f) {
        double[] out = new double[x.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(x.data[i]);
        }
        return new DoubleTensor(out, x.shape);
    }

    /** The element-wise MLP activation named by a TransformerLens {@code act_fn}. */
    static DoubleUnaryOperator activation(String actFn) {
        if (actFn == null) {
            throw new IllegalArgumentException("the model has MLPs but no act_fn");
        }
        return switch (actFn) {
            case "gelu_new" -> x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case "gelu" -> x -> x * 0.5 * (1 + erf(x / Math.sqrt(2)));
            case "relu" -> x -> Math.max(0.0, x);
            case "silu" -> x -> x / (1 + Math.exp(-x));
            default -> throw new IllegalArgumentException("unknown act_fn " + actFn);
        };
    }

    /**
     * The error function, to within a few ulps, from the series with all-positive terms (Abramowitz and Stegun
     * 7.1.6): erf(x) = 2/sqrt(pi) exp(-x^2) sum over n of 2^n x^(2n+1) / (1*3*...*(2n+1)).
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        // erfc(6) is about 2.2e-17, below half the spacing of doubles just under 1, so erf rounds to +-1 from here.
        if (ax >= 6) {
            return Math.signum(x);
        }
        double term = ax;
        double sum = ax;
        for (int n = 0; term > 1e-17 * sum; n++) {
            term *= 2 * ax * ax / (2 * n + 3);
            sum += term;
        }
        return Math.copySign(2 / Math.sqrt(Math.PI) * Math.exp(-ax * ax) * sum, x);
    }

    /** Calls the hook and checks that what it returns can stand in for the value it was given. */
    private static DoubleTensor call(Hook hook, String name, DoubleTensor value) {
        DoubleTensor returned = hook.apply(name, value);
        if (returned == null || !Arrays.equals(returned.shape, value.shape)) {
            throw new IllegalStateException("hook at " + name + " returned " + returned + " for " + value);
        }
        return returned;
    }

    /**
     * The live float64 parameter the forward pass reads: writing into it changes every later forward pass, which is
     * how a test takes finite differences at full double precision.
     */
    DoubleTensor parameter(String name) {
        return param(name);
    }

    private DoubleTensor param(String name) {
        DoubleTensor t = params.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return t;
    }

    private void checkTokens(int[][] tokens) {
        if (tokens.length == 0 || tokens[0].length == 0) {
            throw new IllegalArgumentException("need at least one sequence of at least one token");
        }
        int positions = tokens[0].length;
        if (positions > config.nCtx()) {
            throw new IllegalArgumentException(positions + " positions exceed n_ctx " + config.nCtx());
        }
        for (int[] row : tokens) {
            if (row.length != positions) {
                throw new IllegalArgumentException("sequences differ in length: " + row.length + " vs " + positions);
            }
            for (int t : row) {
                if (t < 0 || t >= config.dVocab()) {
                    throw new IllegalArgumentException("token " + t + " outside vocabulary of " + config.dVocab());
                }
            }
        }
    }
}
