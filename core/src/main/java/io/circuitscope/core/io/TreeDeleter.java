package io.circuitscope.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes a directory the program itself created, with everything in it, on a best-effort basis. */
public final class TreeDeleter {
    private TreeDeleter() {
    }

    /**
     * Deletes {@code dir} and its contents, deepest first; whatever cannot be deleted is left, because callers use
     * this in cleanup paths where an earlier error or result is what matters.
     */
    public static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Best effort by contract.
        }
    }
}
