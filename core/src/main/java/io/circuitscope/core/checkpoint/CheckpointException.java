package io.circuitscope.core.checkpoint;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.io.IoFailure;
import java.io.IOException;

/** A checkpoint file that cannot be read or written, with a message naming the file and, where relevant, the tensor. */
public class CheckpointException extends CircuitscopeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Wraps an I/O failure; the prefix says what was being done, because NIO's own messages
     * are often just a bare path (NoSuchFileException) and would mean nothing to a user.
     */
    static CheckpointException ioFailure(String prefix, IOException cause) {
        return new CheckpointException(prefix + ": " + IoFailure.describe(cause), cause);
    }
}
