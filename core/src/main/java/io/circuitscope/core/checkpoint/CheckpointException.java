package io.circuitscope.core.checkpoint;

import io.circuitscope.core.CircuitscopeException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

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
        return new CheckpointException(prefix + ": " + describe(cause), cause);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fse) {
            // Its message is mostly the path, which the caller's prefix already names.
            return fse.getReason() != null ? fse.getReason() : fse.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
