package io.circuitscope.spi;

/**
 * A low-rank d_model x d_model matrix held as {@code left} [d_model, d_head] times {@code right} [d_head, d_model],
 * for example a head's OV circuit W_V W_O or QK circuit W_Q W_K^T.
 */
public record FactoredCircuit(Tensor left, Tensor right) {
}
