package io.circuitscope.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.junit.jupiter.api.Test;

/** The short reasons a user reads after "cannot write" or "cannot read", in place of NIO's bare paths. */
class IoFailureTest {
    @Test
    void eachKindOfFailureHasItsOwnReason() {
        assertEquals("no such file or directory", IoFailure.describe(new NoSuchFileException("/a/b")));
        assertEquals("permission denied", IoFailure.describe(new AccessDeniedException("/a/b")));
        assertEquals("a parent path is a file, not a directory",
                IoFailure.describe(new FileAlreadyExistsException("/a/b")));
        assertEquals("a parent path is a file, not a directory", IoFailure.describe(new NotDirectoryException("/a")));
        assertEquals("No space left on device",
                IoFailure.describe(new FileSystemException("/a/b", null, "No space left on device")));
        assertEquals("FileSystemException", IoFailure.describe(new FileSystemException("/a/b")));
        assertEquals("stream closed", IoFailure.describe(new IOException("stream closed")));
        assertEquals("IOException", IoFailure.describe(new IOException()));
    }
}
