package io.circuitscope.wiki;

import io.circuitscope.core.io.TreeDeleter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Puts a whole site into place at once: every file is written into a fresh folder beside the target, which then
 * replaces the target by a rename, so a failed run leaves the previous wiki (or nothing) behind. Only a missing path,
 * an empty folder or an earlier wiki (marked by {@value #MARKER}) is ever replaced, so a mistyped {@code --out} cannot
 * wipe out someone's files.
 */
public final class SiteDirectory {
    /** The file that marks a folder as a wiki this program wrote. */
    public static final String MARKER = ".circuitscope-wiki";

    private SiteDirectory() {
    }

    /**
     * Checks that {@code out} may be replaced.
     *
     * @return null when it may, else why not
     */
    public static String refusal(Path out) throws IOException {
        if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (Files.isSymbolicLink(out) || !Files.isDirectory(out)) {
            return out + " exists and is not a directory";
        }
        if (Files.isRegularFile(out.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (Stream<Path> entries = Files.list(out)) {
            return entries.findAny().isEmpty() ? null
                    : out + " is a non-empty directory that is not a circuitscope wiki (no " + MARKER
                    + "); choose a new or empty directory";
        }
    }

    /**
     * Writes {@code files} (relative paths with {@code /} separators) as the whole content of {@code out}.
     *
     * @throws IllegalArgumentException if {@code out} may not be replaced or a path leaves the site
     */
    public static void write(Path out, Map<String, byte[]> files) throws IOException {
        String refusal = refusal(out);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        String name = target.getFileName().toString();
        Path staging = Files.createTempDirectory(parent, "." + name + ".new-");
        Path previous = null;
        try {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path file = staging.resolve(f.getKey()).normalize();
                if (!file.startsWith(staging) || file.equals(staging)) {
                    throw new IllegalArgumentException("site path " + f.getKey() + " leaves the site folder");
                }
                Files.createDirectories(file.getParent());
                Files.write(file, f.getValue());
            }
            Files.write(staging.resolve(MARKER), new byte[0]);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                previous = parent.resolve("." + name + ".old-" + staging.getFileName().toString()
                        .substring(name.length() + 6));
                Files.move(target, previous, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            TreeDeleter.deleteQuietly(staging);
            if (previous != null && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(previous, target, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        if (previous != null) {
            TreeDeleter.deleteQuietly(previous);
        }
    }
}
