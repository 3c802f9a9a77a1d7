package io.circuitscope.core.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Words an I/O failure for a user, since NIO's own messages are often just a bare path. */
public final class IoFailure {
    private IoFailure() {
    }

    /** A short reason such as "no such file or directory" or "a parent path is a file, not a directory". */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException) {
            return "a parent path is a file, not a directory";
        }
        if (e instanceof FileSystemException fse) {
            // Its message is mostly the path, which the caller names anyway.
            return fse.getReason() != null ? fse.getReason() : fse.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
