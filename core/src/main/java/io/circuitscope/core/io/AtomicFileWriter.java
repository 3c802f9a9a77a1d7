package io.circuitscope.core.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a file so that readers only ever see the old content or the complete new content: the bytes go to a
 * temporary sibling that is flushed and then moved into place, and a failed write leaves nothing behind.
 */
public final class AtomicFileWriter {
    // Sorted map keys make the output byte-identical across runs whatever map implementation a caller used.
    private static final ObjectMapper PRETTY_JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private AtomicFileWriter() {
    }

    /** Produces a file's content on an open channel. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel out) throws IOException;
    }

    /**
     * Writes {@code file} from {@code content}, creating missing parent directories. Only a missing path or a regular
     * file is ever replaced; a symbolic link to a regular file is written through, leaving the link in place.
     *
     * @throws FileSystemException if {@code file} is a directory, a device, a FIFO, a socket or a broken link
     */
    public static void write(Path file, Content content) throws IOException {
        Path target = writableTarget(file);
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        boolean moved = false;
        try {
            // CREATE_NEW rather than Files.createTempFile, whose 0600 permissions would end up on the final file.
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(out);
                // Flush before the rename so a crash cannot leave a complete-looking name over incomplete data.
                out.force(false);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                deleteAfterFailure(temp);
            }
        }
    }

    /** The regular file that writing {@code file} should replace: the path itself, or the file its link points to. */
    private static Path writableTarget(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return file.toAbsolutePath();
        }
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            throw new FileSystemException(file.toString(), null, "is a symbolic link to a missing file or a loop");
        }
        if (Files.isDirectory(real)) {
            throw new FileSystemException(file.toString(), null, "is a directory");
        }
        if (!Files.isRegularFile(real)) {
            // Replacing a device or FIFO with a regular file would break it for everyone (think /dev/null as root).
            throw new FileSystemException(file.toString(), null,
                    "is not a regular file (a device, FIFO or socket); refusing to replace it");
        }
        return real;
    }

    /** Writes {@code value} as indented JSON. */
    public static void writeJson(Path file, Object value) throws IOException {
        // Closing the generator flushes it; the channel's stream has no buffer of its own.
        write(file, out -> PRETTY_JSON.writeValue(Channels.newOutputStream(out), value));
    }

    /** Writes raw bytes. */
    public static void writeBytes(Path file, byte[]... parts) throws IOException {
        write(file, out -> {
            for (byte[] part : parts) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(part);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
        });
    }

    private static void deleteAfterFailure(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // The write has already failed and that is the error worth reporting; a stray temp file is harmless.
        }
    }
}
