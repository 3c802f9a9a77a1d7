package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;

/**
 * One attention layer's output: each head's contribution to the residual stream [batch, pos, head, d_model] (null
 * where the pass did not need it), the pattern [batch, head, query, key], and their sum plus b_O [batch, pos, d_model].
 */
public record AttentionResult(NDArray result, NDArray pattern, NDArray out) {
}
