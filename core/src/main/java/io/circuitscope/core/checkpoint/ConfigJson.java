package io.circuitscope.core.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a checkpoint's {@code config.json}, turning every way it can be wrong into a message naming the file. */
final class ConfigJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final JsonNode root;

    private ConfigJson(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    static ConfigJson read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": file not found (a checkpoint directory needs config.json)");
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new CheckpointException(file + ": expected a JSON object");
            }
            return new ConfigJson(file, root);
        } catch (IOException e) {
            throw new CheckpointException(file + ": not valid JSON (" + firstLine(e.getMessage()) + ")", e);
        }
    }

    JsonNode root() {
        return root;
    }

    Path file() {
        return file;
    }

    boolean has(String key) {
        return root.hasNonNull(key);
    }

    String text(String key, String fallback) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? fallback : n.asText();
    }

    int positiveInt(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            throw new CheckpointException(file + ": missing required field \"" + key + "\"");
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
            throw new CheckpointException(file + ": field \"" + key + "\" must be a positive integer, got " + n);
        }
        return n.asInt();
    }

    Integer optionalInt(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber()) {
            throw new CheckpointException(file + ": field \"" + key + "\" must be an integer, got " + n);
        }
        return n.asInt();
    }

    double number(String key, double fallback) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new CheckpointException(file + ": field \"" + key + "\" must be a number, got " + n);
        }
        return n.asDouble();
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
