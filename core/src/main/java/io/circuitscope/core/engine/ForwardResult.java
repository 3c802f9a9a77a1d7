package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;

/** The logits [batch, pos, d_vocab] of one forward pass and the activations it cached, both owned by the caller. */
public record ForwardResult(NDArray logits, ActivationCache cache) {
}
