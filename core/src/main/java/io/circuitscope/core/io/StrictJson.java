package io.circuitscope.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.circuitscope.core.CircuitscopeException;
import java.nio.file.Path;

/**
 * Parses a JSON file that must hold exactly one JSON object: strict UTF-8, no duplicate keys (which JSON readers
 * resolve differently), nothing but whitespace after the object, and a size cap checked before reading.
 */
public final class StrictJson {
    /** config.json, model-card.json and the like are a few kilobytes; anything this large is not one. */
    public static final long SMALL_FILE_LIMIT = 16L << 20;
    /** tokenizer.json of a 150k-token vocabulary is about 10 MB. */
    public static final long TOKENIZER_FILE_LIMIT = 128L << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StrictJson() {
    }

    /**
     * Reads {@code file} as one JSON object.
     *
     * @throws CircuitscopeException naming the file and the problem
     */
    public static JsonNode readObject(Path file, long maxBytes) {
        return parseObject(Utf8Text.read(file, maxBytes), file.toString());
    }

    private static JsonNode parseObject(String text, String label) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new CircuitscopeException(label + ": not valid JSON (" + e.getOriginalMessage() + where + ")", e);
        }
        if (root == null || root.isMissingNode()) {
            throw new CircuitscopeException(label + ": empty file; expected a JSON object");
        }
        if (!root.isObject()) {
            throw new CircuitscopeException(label + ": expected a JSON object, got " + root.getNodeType()
                    .toString().toLowerCase(java.util.Locale.ROOT));
        }
        return root;
    }
}
