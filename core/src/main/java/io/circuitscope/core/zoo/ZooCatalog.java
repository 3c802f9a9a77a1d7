package io.circuitscope.core.zoo;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.io.IoFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models that ship inside the jar as {@code zoo:NAME}, listed in {@code io/circuitscope/core/zoo/models.txt};
 * each is extracted once per process to a temp directory so it loads exactly like a directory on disk.
 */
public final class ZooCatalog {
    private static final String ROOT = "/io/circuitscope/core/zoo/";
    private static final List<String> FILES = List.of("config.json", "model.safetensors", "vocab.txt", "model-card.json");
    private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();

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

    /** Extracts a shipped model and returns its directory, or fails naming the models that exist. */
    public static Path extract(String name) {
        if (!names().contains(name)) {
            throw new CircuitscopeException("zoo:" + name + ": no such zoo model; available: "
                    + String.join(", ", names().stream().map(n -> "zoo:" + n).toList()));
        }
        return EXTRACTED.computeIfAbsent(name, ZooCatalog::copyOut);
    }

    private static Path copyOut(String name) {
        try {
            Path dir = Files.createTempDirectory("circuitscope-zoo-" + name + "-");
            for (String f : FILES) {
                try (InputStream in = ZooCatalog.class.getResourceAsStream(ROOT + name + "/" + f)) {
                    if (in != null) {
                        Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                        dir.resolve(f).toFile().deleteOnExit();
                    }
                }
            }
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new CircuitscopeException("zoo:" + name + ": cannot extract to a temporary directory: "
                    + IoFailure.describe(e), e);
        }
    }
}
