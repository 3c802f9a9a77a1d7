package io.circuitscope.core.model;

import java.nio.FloatBuffer;

/** Writes one tensor's values, row-major float32, into a buffer the receiver provides, at its position. */
@FunctionalInterface
public interface TensorFill {
    void writeTo(FloatBuffer out);
}
