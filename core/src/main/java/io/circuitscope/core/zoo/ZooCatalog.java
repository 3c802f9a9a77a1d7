package io.circuitscope.core.zoo;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.io.IoFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The models that ship inside the jar as {@code zoo:NAME}, listed in {@code io/circuitscope/core/zoo/models.txt};
 * each load copies one into a temporary directory, so it loads exactly like a directory on disk, and removes it.
 */
public final class ZooCatalog {
    private static final String ROOT = "/io/circuitscope/core/zoo/";
    private static final List<String> FILES = List.of("config.json", "model.safetensors", "vocab.txt", "model-card.json");

    private ZooCatalog() {
    }

    /** The names of the shipped models. */
    public static List<String> names() {
        try (InputStream in = ZooCatalog.class.getResourceAsStream(ROOT + "models.txt")) {
            if (in == null) {
                return List.of();
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Arrays.stream(text.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new CircuitscopeException("cannot read the zoo index from the jar: " + IoFailure.describe(e), e);
        }
    }

    /**
     * Copies a shipped model into a fresh temporary directory, applies {@code use} to it, and deletes the directory
     * again whether {@code use} returns or throws, so no run leaves anything behind in the temp dir. Loading reads
     * every file fully, so nothing needs the copy afterwards.
     *
     * @throws CircuitscopeException if there is no such model, naming the models that exist
     */
    public static <T> T withExtracted(String name, Function<Path, T> use) {
        if (!names().contains(name)) {
            throw new CircuitscopeException("zoo:" + name + ": no such zoo model; available: "
                    + String.join(", ", names().stream().map(n -> "zoo:" + n).toList()));
        }
        Path dir;
        try {
            dir = Files.createTempDirectory(tempPrefix(name));
        } catch (IOException e) {
            throw new CircuitscopeException("zoo:" + name + ": cannot create a temporary directory: "
                    + IoFailure.describe(e), e);
        }
        try {
            copyOut(name, dir);
            return use.apply(dir);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** The temporary directories' name prefix; it carries this process's id, so each JVM can account for its own. */
    public static String tempPrefix(String name) {
        return "circuitscope-zoo-" + name + "-" + ProcessHandle.current().pid() + "-";
    }

    private static void copyOut(String name, Path dir) {
        try {
            for (String f : FILES) {
                try (InputStream in = ZooCatalog.class.getResourceAsStream(ROOT + name + "/" + f)) {
                    if (in != null) {
                        Files.copy(in, dir.resolve(f));
                    }
                }
            }
        } catch (IOException e) {
            throw new CircuitscopeException("zoo:" + name + ": cannot extract to a temporary directory: "
                    + IoFailure.describe(e), e);
        }
    }

    private static void deleteQuietly(Path dir) {
        for (String f : FILES) {
            try {
                Files.deleteIfExists(dir.resolve(f));
            } catch (IOException ignored) {
                // Best effort: the model has been loaded or the run has already failed, and that is what matters.
            }
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // As above.
        }
    }
}
