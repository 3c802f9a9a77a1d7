package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;

/** The residual stream [batch, pos, d_model] where a partial pass stopped, and what it cached; owned by the caller. */
public record ResidualResult(NDArray residual, ActivationCache cache) {
}
