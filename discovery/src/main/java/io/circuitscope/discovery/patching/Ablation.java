package io.circuitscope.discovery.patching;

import java.util.Locale;

/** What an absent edge carries instead of its sender's output. */
public enum Ablation {
    /** The sender's output on the corrupted prompt (ACDC's and MIB's default: interchange ablation). */
    RESAMPLE,
    /** Zero. */
    ZERO,
    /** The sender's output averaged over the clean prompts of the same length, position by position. */
    MEAN;

    /** The command-line name: {@code resample}, {@code zero} or {@code mean}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Ablation parse(String id) {
        for (Ablation a : values()) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown ablation '" + id + "': use resample, zero or mean");
    }
}
