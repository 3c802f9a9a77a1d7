package io.circuitscope.core.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.circuitscope.core.io.InputFile;
import io.circuitscope.core.io.StrictJson;
import java.nio.file.Path;

/**
 * A checkpoint's {@code config.json}, read strictly: every field is checked for its JSON type and range, never
 * coerced ("0" is not 0, 1.7 is not 1, -1 is not true), and every problem is a message naming the file and field.
 */
final class ConfigJson {
    private final Path file;
    private final JsonNode root;
    private final String path;

    private ConfigJson(Path file, JsonNode root, String path) {
        this.file = file;
        this.root = root;
        this.path = path;
    }

    static ConfigJson read(Path file) {
        InputFile.requireRegular(file, "a checkpoint directory needs config.json");
        return new ConfigJson(file, StrictJson.readObject(file, StrictJson.SMALL_FILE_LIMIT), "");
    }

    /**
     * The JSON object at {@code key}, read with the same strictness and its fields named {@code key.field} in
     * messages; null when the key is absent or null.
     */
    ConfigJson object(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw wrongType(key, "a JSON object", n);
        }
        return new ConfigJson(file, n, path + key + ".");
    }

    /** The name of {@code key} as messages show it, with the path of the object it is in. */
    String name(String key) {
        return path + key;
    }

    /** The keys of this object, in file order. */
    java.util.List<String> keys() {
        java.util.List<String> keys = new java.util.ArrayList<>();
        root.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    Path file() {
        return file;
    }

    /** True when the key is present, even with a null value. */
    boolean present(String key) {
        return root.has(key);
    }

    /** True when the key is present with a non-null value. */
    boolean has(String key) {
        return root.hasNonNull(key);
    }

    String text(String key, String fallback) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isTextual()) {
            throw wrongType(key, "a string", n);
        }
        return n.textValue();
    }

    boolean flag(String key, boolean fallback) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw wrongType(key, "true or false", n);
        }
        return n.booleanValue();
    }

    int positiveInt(String key) {
        Integer value = optionalInt(key);
        if (value == null) {
            throw new CheckpointException(file + ": missing required field \"" + name(key) + "\"");
        }
        if (value <= 0) {
            throw wrongType(key, "a positive integer", root.get(key));
        }
        return value;
    }

    /** The integer at {@code key}, or null when absent or null; a fraction or a value beyond int range is an error. */
    Integer optionalInt(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw wrongType(key, "an integer between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE, n);
        }
        return n.intValue();
    }

    double number(String key, double fallback) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw wrongType(key, "a number", n);
        }
        return n.doubleValue();
    }

    /** The raw node at {@code key}, or null; for fields with an unusual shape. */
    JsonNode node(String key) {
        return root.get(key);
    }

    CheckpointException wrongType(String key, String expected, JsonNode got) {
        return new CheckpointException(file + ": field \"" + name(key) + "\" must be " + expected + ", got " + got);
    }
}
