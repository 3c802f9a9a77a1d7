package io.circuitscope.core.io;

import io.circuitscope.core.CircuitscopeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Checks that a path a model source reads is a regular file (after following symbolic links), and otherwise says
 * exactly what it is instead, because opening a FIFO would block forever and "file not found" misleads when the
 * path exists as a directory or a broken link.
 */
public final class InputFile {
    private InputFile() {
    }

    /** True when anything exists at {@code file}, a dangling or looping symbolic link included. */
    public static boolean isPresent(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Returns {@code file} when it is a readable regular file.
     *
     * @param purpose what the file is for, appended to a "not found" message (e.g. "a checkpoint needs config.json")
     * @throws CircuitscopeException naming the file and what it is instead
     */
    public static Path requireRegular(Path file, String purpose) {
        if (Files.isRegularFile(file)) {
            if (!Files.isReadable(file)) {
                throw new CircuitscopeException(file + ": permission denied");
            }
            return file;
        }
        throw new CircuitscopeException(file + ": " + whyNotRegular(file, purpose));
    }

    private static String whyNotRegular(Path file, String purpose) {
        if (!isPresent(file)) {
            return "file not found" + (purpose.isEmpty() ? "" : " (" + purpose + ")");
        }
        if (Files.isSymbolicLink(file)) {
            try {
                file.toRealPath();
            } catch (NoSuchFileException e) {
                return "is a symbolic link to a missing file";
            } catch (IOException e) {
                return "is a symbolic link that cannot be followed (a loop, or too many levels of links)";
            }
        }
        if (Files.isDirectory(file)) {
            return "is a directory, not a file";
        }
        return "is not a regular file (a FIFO, socket or device); refusing to read it";
    }
}
