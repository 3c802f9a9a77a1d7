package io.circuitscope.wiki;

import java.util.List;

/**
 * Every head's attention pattern on one probe prompt, with the prompt's tokens as display text.
 *
 * @param patterns [layer][head][query][key]
 */
public record AttentionProbe(String title, String description, List<String> tokens, float[][][][] patterns) {
    /** One head's pattern, [query][key]. */
    public float[][] pattern(int layer, int head) {
        return patterns[layer][head];
    }
}
