package io.circuitscope.core.checkpoint;

import java.util.List;

/**
 * The rotary-embedding settings of a Hugging Face config, read from every spelling real files use: transformers 5's
 * {@code rope_parameters} object, or the older top-level {@code rope_theta} / {@code rope_scaling} (and GPT-NeoX's
 * {@code rotary_emb_base} / {@code rotary_pct}); a scaling type other than the default and Llama 3's is refused.
 *
 * @param rotaryDim the leading dimensions of each head that rotate, int(head_dim × partial rotary factor)
 * @param theta the base of the frequencies
 * @param llama3 Llama 3's by-parts rescaling, or null
 */
record HfRotaryConfig(int rotaryDim, double theta, Llama3Scaling llama3) {

    /** Llama 3's rope scaling parameters. */
    record Llama3Scaling(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
    }

    /**
     * Reads the settings, the defaults given for the architecture's own legacy field names.
     *
     * @param legacyTheta the top-level field that held θ before {@code rope_theta} (GPT-NeoX: rotary_emb_base), or null
     * @param legacyFraction the top-level field for the rotary fraction (GPT-NeoX: rotary_pct), or null
     * @param defaultFraction the fraction when no field gives one (GPT-NeoX: 0.25, others 1)
     */
    static HfRotaryConfig read(ConfigJson c, int headDim, String legacyTheta, String legacyFraction,
                               double defaultFraction) {
        ConfigJson params = c.object("rope_parameters");
        if (params != null && params.keys().stream().anyMatch(k -> params.node(k).isObject())) {
            throw new CheckpointException(c.file() + ": rope_parameters with one entry per attention type ("
                    + String.join(", ", params.keys()) + ") is not supported");
        }
        ConfigJson scaling = c.object("rope_scaling");
        double theta = firstNumber(c, params, "rope_theta", legacyTheta, 10000.0);
        double fraction = firstNumber(c, params, "partial_rotary_factor", legacyFraction, defaultFraction);
        if (!(fraction > 0) || fraction > 1) {
            throw new CheckpointException(c.file() + ": the partial rotary factor must be in (0, 1], got " + fraction);
        }
        int rotaryDim = (int) (headDim * fraction);
        if (rotaryDim < 2 || rotaryDim % 2 != 0) {
            throw new CheckpointException(c.file() + ": the partial rotary factor " + fraction + " of head_dim "
                    + headDim + " gives " + rotaryDim + " rotary dimensions, which is not a positive even number");
        }
        // transformers 5's rope_parameters decides; a legacy rope_scaling beside a default one still counts.
        Llama3Scaling llama3 = params == null ? null : scalingOf(params);
        if (llama3 == null && scaling != null) {
            llama3 = scalingOf(scaling);
        }
        return new HfRotaryConfig(rotaryDim, theta, llama3);
    }

    /** The Llama 3 scaling an object with a rope type describes, null for the default type, refused otherwise. */
    private static Llama3Scaling scalingOf(ConfigJson typed) {
        String typeKey = typed.has("rope_type") ? "rope_type" : "type";
        String type = typed.text(typeKey, "default");
        return switch (type) {
            case "default" -> null;
            case "llama3" -> readLlama3(typed);
            default -> throw new CheckpointException(typed.file() + ": " + typed.name(typeKey) + " \"" + type
                    + "\" is not supported (supported: default, llama3)");
        };
    }

    private static Llama3Scaling readLlama3(ConfigJson s) {
        for (String key : List.of("factor", "low_freq_factor", "high_freq_factor",
                "original_max_position_embeddings")) {
            if (!s.has(key)) {
                throw new CheckpointException(s.file() + ": llama3 rope scaling needs \"" + s.name(key) + "\"");
            }
        }
        double factor = s.number("factor", 1);
        double low = s.number("low_freq_factor", 1);
        double high = s.number("high_freq_factor", 4);
        int original = s.positiveInt("original_max_position_embeddings");
        if (!(factor >= 1) || !(low > 0) || !(high > low)) {
            throw new CheckpointException(s.file() + ": llama3 rope scaling needs factor >= 1 and 0 < "
                    + s.name("low_freq_factor") + " < " + s.name("high_freq_factor") + ", got " + factor + ", " + low
                    + ", " + high);
        }
        return new Llama3Scaling(factor, low, high, original);
    }

    /**
     * The first of rope_parameters.key, top-level key and the legacy field that is present, else the default; any
     * two of them that are present must agree, as a file that says two things cannot be run as both.
     */
    private static double firstNumber(ConfigJson c, ConfigJson params, String key, String legacy, double fallback) {
        Double chosen = null;
        String chosenName = null;
        java.util.List<ConfigJson> sources = new java.util.ArrayList<>();
        if (params != null) {
            sources.add(params);
        }
        sources.add(c);
        for (ConfigJson source : sources) {
            for (String k : source == c && legacy != null ? List.of(key, legacy) : List.of(key)) {
                if (!source.has(k)) {
                    continue;
                }
                double value = positive(c, source.name(k), source.number(k, fallback));
                if (chosen == null) {
                    chosen = value;
                    chosenName = source.name(k);
                } else if (chosen != value) {
                    throw new CheckpointException(c.file() + ": " + source.name(k) + " " + value + " disagrees with "
                            + chosenName + " " + chosen);
                }
            }
        }
        return chosen == null ? fallback : chosen;
    }

    private static double positive(ConfigJson c, String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new CheckpointException(c.file() + ": " + name + " must be a positive number, got " + value);
        }
        return value;
    }
}
