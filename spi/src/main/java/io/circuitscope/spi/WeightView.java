package io.circuitscope.spi;

/** Read-only access to a model's weights under TransformerLens names. */
public interface WeightView {
    /**
     * A parameter by its TransformerLens name ({@code embed.W_E} [d_vocab, d_model], {@code unembed.W_U}
     * [d_model, d_vocab], {@code blocks.0.attn.W_O} [n_heads, d_head, d_model], ...).
     *
     * @throws IllegalArgumentException for an unknown name
     */
    Tensor parameter(String name);

    /** A head's OV circuit W_V W_O. */
    FactoredCircuit ov(int layer, int head);

    /** A head's QK circuit W_Q W_K^T (queries on the left). */
    FactoredCircuit qk(int layer, int head);
}
