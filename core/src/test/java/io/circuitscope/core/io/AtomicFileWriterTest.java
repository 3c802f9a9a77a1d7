package io.circuitscope.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output files: only a missing path or a regular file is ever replaced, and a failure leaves nothing behind. */
class AtomicFileWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesNewFilesAndReplacesRegularOnes() throws IOException {
        Path file = dir.resolve("sub/out.bin");
        AtomicFileWriter.writeBytes(file, "ab".getBytes(StandardCharsets.UTF_8), "c".getBytes(StandardCharsets.UTF_8));
        assertEquals("abc", Files.readString(file));
        AtomicFileWriter.writeBytes(file, "new".getBytes(StandardCharsets.UTF_8));
        assertEquals("new", Files.readString(file));
        assertEquals(List.of(file), listing(file.getParent()));
    }

    @Test
    void contentLargerThanAnyBufferIsWrittenWhole() throws IOException {
        byte[] big = new byte[3 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        Path file = dir.resolve("big.bin");
        AtomicFileWriter.writeBytes(file, big);
        assertArrayEquals(big, Files.readAllBytes(file));
    }

    @Test
    void aSymbolicLinkToARegularFileIsWrittenThroughAndKept() throws IOException {
        Path real = Files.writeString(dir.resolve("real.txt"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), real);
        AtomicFileWriter.writeBytes(link, "new".getBytes(StandardCharsets.UTF_8));
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals("new", Files.readString(real));
        assertEquals(List.of(dir.resolve("link.txt"), real), listing(dir));
    }

    // Devices are refused by the same check; no test writes to one, since a wrong implementation running as root
    // would replace it (a mutation test once turned /dev/null into a regular file).
    @Test
    void aFifoIsNeverReplaced() throws Exception {
        Path fifo = dir.resolve("pipe");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> AtomicFileWriter.writeBytes(fifo, new byte[] {1}));
        assertEquals("is not a regular file (a device, FIFO or socket); refusing to replace it", e.getReason());
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "still a FIFO");
        assertEquals(List.of(fifo), listing(dir));
    }

    @Test
    void aDirectoryOrABrokenLinkIsRefused() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertEquals("is a directory",
                assertThrows(FileSystemException.class, () -> AtomicFileWriter.writeBytes(sub, new byte[0])).getReason());
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("gone"));
        assertEquals("is a symbolic link to a missing file or a loop", assertThrows(FileSystemException.class,
                () -> AtomicFileWriter.writeBytes(dangling, new byte[0])).getReason());
        assertTrue(Files.isSymbolicLink(dangling));
        assertFalse(Files.exists(dir.resolve("gone")));
    }

    @Test
    void aSymbolicLinkToADirectoryIsRefused() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), sub);
        assertEquals("is a directory",
                assertThrows(FileSystemException.class, () -> AtomicFileWriter.writeBytes(link, new byte[0])).getReason());
    }

    @Test
    void aFailureAfterSomeBytesWereWrittenLeavesNothingAndKeepsTheOldFile() throws IOException {
        Path file = Files.writeString(dir.resolve("out.bin"), "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFileWriter.write(file, out -> {
            out.write(ByteBuffer.wrap(new byte[1000]));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(file));
        assertEquals(List.of(file), listing(dir));
    }

    @Test
    void aFailedMoveCleansUpItsTemporaryFile() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path file = sub.resolve("out.bin");
        IOException e = assertThrows(IOException.class, () -> AtomicFileWriter.write(file, out -> {
            out.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            // Replacing the target with a non-empty directory makes the atomic move fail.
            Files.createDirectories(file.resolve("blocker"));
        }));
        assertTrue(e instanceof FileSystemException, e.toString());
        assertEquals(List.of(file), listing(sub), "only the blocking directory remains, no temp file");
    }

    @Test
    void jsonIsIndentedWithSortedMapKeys() throws IOException {
        Path file = dir.resolve("x.json");
        AtomicFileWriter.writeJson(file, new java.util.HashMap<>(Map.of("b", 1, "a", 2)));
        assertEquals("{\n  \"a\" : 2,\n  \"b\" : 1\n}", Files.readString(file));
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
