package io.circuitscope.detectors;

/** Duplicate-token heads: attention from a repeated token to its earlier copy. */
public final class DuplicateTokenDetector extends RepeatPatternDetector {
    @Override
    public String id() {
        return "duplicate-token";
    }

    @Override
    public String description() {
        return "Attention from a repeated token to its earlier copy, with varied repeat offsets and lengths.";
    }

    @Override
    String probeDescription() {
        return "random tokens with one segment (3 to half the prompt) repeated at a random start and offset;"
                + " rows: second-copy tokens seen exactly once before; target: that earlier copy";
    }

    @Override
    int key(int query, int offset) {
        return query - offset;
    }

    @Override
    double[][] transformerLensPattern(int[] tokens) {
        return TransformerLensMeasure.duplicateTokenPattern(tokens);
    }
}
