package io.circuitscope.spi;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One detector's result: a score and a control score for every head, the heads it labels, per-head evidence, and the
 * settings it used. Build one with {@link #builder(ModelShape)}.
 */
public final class HeadScores {
    private final double[][] scores;
    private final double[][] controls;
    private final boolean[][] labelled;
    private final Map<String, HeadEvidence> evidence;
    private final Map<String, String> settings;

    private HeadScores(double[][] scores, double[][] controls, boolean[][] labelled, Map<String, HeadEvidence> evidence,
                       Map<String, String> settings) {
        this.scores = scores;
        this.controls = controls;
        this.labelled = labelled;
        this.evidence = evidence;
        this.settings = settings;
    }

    public static Builder builder(ModelShape shape) {
        return new Builder(shape.nLayers(), shape.nHeads());
    }

    public int layers() {
        return scores.length;
    }

    public int heads() {
        return scores.length == 0 ? 0 : scores[0].length;
    }

    public double score(int layer, int head) {
        return scores[layer][head];
    }

    /** The same measure on control prompts where the behaviour cannot occur (NaN where the detector has none). */
    public double control(int layer, int head) {
        return controls[layer][head];
    }

    /** True when the score cleared the detector's documented threshold, so the head carries its label. */
    public boolean labelled(int layer, int head) {
        return labelled[layer][head];
    }

    /** How many heads carry the label. */
    public int labelledCount() {
        int n = 0;
        for (boolean[] row : labelled) {
            for (boolean b : row) {
                n += b ? 1 : 0;
            }
        }
        return n;
    }

    /** The evidence for a head, or empty evidence. */
    public HeadEvidence evidence(int layer, int head) {
        return evidence.getOrDefault(key(layer, head), HeadEvidence.of(Map.of()));
    }

    /** The settings used, in key order. */
    public Map<String, String> settings() {
        return settings;
    }

    /**
     * Checks that this result fits a model: one row per layer and one score per head, in every array.
     *
     * @return null when it fits, else what is wrong
     */
    public String mismatch(ModelShape shape) {
        if (scores.length != shape.nLayers()) {
            return "scores for " + scores.length + " layers, the model has " + shape.nLayers();
        }
        for (double[][] a : new double[][][] {scores, controls}) {
            for (double[] row : a) {
                if (row.length != shape.nHeads()) {
                    return "a layer has " + row.length + " scores, the model has "
                            + shape.nHeads() + " heads";
                }
            }
        }
        for (int l = 0; l < scores.length; l++) {
            for (int h = 0; h < scores[l].length; h++) {
                if (!Double.isFinite(scores[l][h])) {
                    return "the score of L" + l + "H" + h + " is " + scores[l][h];
                }
            }
        }
        return null;
    }

    private static String key(int layer, int head) {
        return layer + "." + head;
    }

    /** Collects a result head by head; every head starts with score 0, control NaN, no label and no evidence. */
    public static final class Builder {
        private final double[][] scores;
        private final double[][] controls;
        private final boolean[][] labelled;
        private final Map<String, HeadEvidence> evidence = new LinkedHashMap<>();
        private final Map<String, String> settings = new TreeMap<>();

        private Builder(int layers, int heads) {
            scores = new double[layers][heads];
            controls = new double[layers][heads];
            labelled = new boolean[layers][heads];
            for (double[] row : controls) {
                Arrays.fill(row, Double.NaN);
            }
        }

        public Builder score(int layer, int head, double score, double control) {
            scores[layer][head] = score;
            controls[layer][head] = control;
            return this;
        }

        public Builder label(int layer, int head) {
            labelled[layer][head] = true;
            return this;
        }

        public Builder evidence(int layer, int head, HeadEvidence e) {
            evidence.put(key(layer, head), e);
            return this;
        }

        /** Records a setting; numbers are written with {@link String#valueOf}, so they print the same everywhere. */
        public Builder setting(String name, Object value) {
            settings.put(name, String.valueOf(value));
            return this;
        }

        public HeadScores build() {
            return new HeadScores(deepCopy(scores), deepCopy(controls), deepCopy(labelled),
                    Collections.unmodifiableMap(new LinkedHashMap<>(evidence)),
                    Collections.unmodifiableMap(new TreeMap<>(settings)));
        }

        private static double[][] deepCopy(double[][] a) {
            return Arrays.stream(a).map(double[]::clone).toArray(double[][]::new);
        }

        private static boolean[][] deepCopy(boolean[][] a) {
            return Arrays.stream(a).map(boolean[]::clone).toArray(boolean[][]::new);
        }
    }
}
