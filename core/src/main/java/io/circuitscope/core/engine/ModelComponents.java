package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.circuitscope.core.model.ModelConfig;

/**
 * A model's pieces as functions over engine arrays, each result owned by the caller's manager: the embedding, a
 * normalization with its scale computed or frozen, one layer's attention from separate per-head query, key and value
 * inputs, one layer's MLP, and the unembedding. The hooked forward pass is built from these same pieces, so an
 * edge-level forward that composes them shares its arithmetic exactly.
 */
public final class ModelComponents {
    private final HookedTransformer model;

    ModelComponents(HookedTransformer model) {
        this.model = model;
    }

    /** hook_embed + hook_pos_embed: the residual stream entering layer 0, [batch, pos, d_model]. */
    public NDArray embed(NDManager out, int[][] tokens) {
        return model.withPass(out, new NDArray[0], true,
                (pass, in) -> pass.embed(model.tokenArray(pass.scope(), tokens)), a -> new NDArray[] {a});
    }

    /**
     * The normalization {@code prefix} ({@code blocks.L.ln1}, {@code blocks.L.ln2} or {@code ln_final}) of x [..,
     * d_model], with its scale computed from x when {@code frozenScale} is null, or that scale [.., 1] otherwise;
     * x itself when the model has no normalization.
     */
    public NDArray normalize(NDManager out, String prefix, NDArray x, NDArray frozenScale) {
        checkNorm(prefix);
        return model.withPass(out, new NDArray[] {x, frozenScale}, true,
                (pass, in) -> in[1] == null ? pass.norm(in[0], prefix) : pass.normWithScale(in[0], prefix, in[1]),
                a -> new NDArray[] {a});
    }

    /**
     * Attention of {@code layer} from per-head inputs [batch, pos, head, d_model] (the residual stream each head
     * reads for its queries, keys and values, before ln1): each head's output, the pattern, and attn_out.
     */
    public AttentionResult attention(NDManager out, int layer, NDArray qInput, NDArray kInput, NDArray vInput) {
        checkLayer(layer);
        return model.withPass(out, new NDArray[] {qInput, kInput, vInput}, false,
                (pass, in) -> pass.attentionFromInputs(layer, in[0], in[1], in[2],
                        pass.causalMask(in[0].getShape().get(1)), true),
                r -> new NDArray[] {r.result(), r.pattern(), r.out()});
    }

    /**
     * The outputs [batch, pos, heads.length, d_model] of only the chosen heads of {@code layer} (hook_result's
     * slices, without b_O), from their own inputs [batch, pos, heads.length, d_model]; cheaper than
     * {@link #attention} when few heads are needed.
     *
     * @throws IllegalArgumentException if a head index is out of range or repeated
     */
    public NDArray headOutputs(NDManager out, int layer, int[] heads, NDArray qInput, NDArray kInput,
                               NDArray vInput) {
        checkLayer(layer);
        long[] chosen = new long[heads.length];
        java.util.BitSet seen = new java.util.BitSet();
        for (int i = 0; i < heads.length; i++) {
            if (heads[i] < 0 || heads[i] >= model.config().nHeads() || seen.get(heads[i])) {
                throw new IllegalArgumentException("heads must be distinct indices below " + model.config().nHeads()
                        + ", got " + java.util.Arrays.toString(heads));
            }
            seen.set(heads[i]);
            chosen[i] = heads[i];
        }
        return model.withPass(out, new NDArray[] {qInput, kInput, vInput}, false,
                (pass, in) -> pass.headOutputs(layer, chosen, in[0], in[1], in[2],
                        pass.causalMask(in[0].getShape().get(1))), a -> new NDArray[] {a});
    }

    /** hook_mlp_out of {@code layer} from its input hook_mlp_in [batch, pos, d_model]. */
    public NDArray mlp(NDManager out, int layer, NDArray mlpInput) {
        checkLayer(layer);
        if (!model.config().hasMlp()) {
            throw new IllegalArgumentException("this model is attention-only and has no MLP");
        }
        return model.withPass(out, new NDArray[] {mlpInput}, false, (pass, in) -> pass.mlp(layer, in[0]),
                a -> new NDArray[] {a});
    }

    /** The logits [batch, pos, d_vocab] from the final residual stream: ln_final, then W_U and b_U. */
    public NDArray unembed(NDManager out, NDArray residual) {
        return model.withPass(out, new NDArray[] {residual}, false, (pass, in) -> pass.unembed(in[0]),
                a -> new NDArray[] {a});
    }

    private void checkLayer(int layer) {
        if (layer < 0 || layer >= model.config().nLayers()) {
            throw new IllegalArgumentException("layer " + layer + " does not exist in a " + model.config().nLayers()
                    + "-layer model");
        }
    }

    private void checkNorm(String prefix) {
        ModelConfig c = model.config();
        boolean known = prefix.equals("ln_final");
        for (int l = 0; l < c.nLayers() && !known; l++) {
            known = prefix.equals("blocks." + l + ".ln1") || (c.hasMlp() && prefix.equals("blocks." + l + ".ln2"));
        }
        if (!known) {
            throw new IllegalArgumentException("no normalization named " + prefix + " (blocks.L.ln1, blocks.L.ln2 or"
                    + " ln_final)");
        }
    }
}
