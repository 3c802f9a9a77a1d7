package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A head's weight-based circuits in factored form: OV (what it writes given what it attends to) and QK (where it
 * attends), in the residual basis or, for the "full" variants, in the token basis through W_E and W_U.
 */
public final class HeadCircuits {
    private final HookedTransformer model;
    private final NDManager out;

    /** Circuits of {@code model}, every factor a copy owned by {@code out}. */
    public HeadCircuits(HookedTransformer model, NDManager out) {
        this.model = model;
        this.out = out;
    }

    /** W_V[l, h] @ W_O[l, h]: [d_model, d_head] @ [d_head, d_model]. */
    public FactoredMatrix ov(int layer, int head) {
        return new FactoredMatrix(headWeight(layer, "W_V", head), headWeight(layer, "W_O", head));
    }

    /** W_Q[l, h] @ W_K[l, h]^T: [d_model, d_head] @ [d_head, d_model]; scores are x_q (this) x_k^T before scaling. */
    public FactoredMatrix qk(int layer, int head) {
        return new FactoredMatrix(headWeight(layer, "W_Q", head), headWeight(layer, "W_K", head).transpose());
    }

    /** W_E W_V W_O W_U: [d_vocab, d_head] @ [d_head, d_vocab]; row t is what attending to token t adds to the logits. */
    public FactoredMatrix fullOv(int layer, int head) {
        NDArray wE = model.parameter(out, "embed.W_E");
        NDArray wU = model.parameter(out, "unembed.W_U");
        return new FactoredMatrix(wE.matMul(headWeight(layer, "W_V", head)),
                headWeight(layer, "W_O", head).matMul(wU));
    }

    /** (W_E W_Q) (W_E W_K)^T: [d_vocab, d_head] @ [d_head, d_vocab]; entry (q, k) is the token-token score. */
    public FactoredMatrix fullQk(int layer, int head) {
        NDArray wE = model.parameter(out, "embed.W_E");
        return new FactoredMatrix(wE.matMul(headWeight(layer, "W_Q", head)),
                wE.matMul(headWeight(layer, "W_K", head)).transpose());
    }

    private NDArray headWeight(int layer, String name, int head) {
        if (head < 0 || head >= model.config().nHeads()) {
            throw new IllegalArgumentException("head " + head + " does not exist (the model has "
                    + model.config().nHeads() + " heads per layer)");
        }
        return model.parameter(out, "blocks." + layer + ".attn." + name).get(head);
    }
}
