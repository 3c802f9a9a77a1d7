package io.circuitscope.discovery.patching;

/** A task metric, always set up so that lower means closer to the clean model's behaviour. */
public enum MetricKind {
    /** KL divergence from the clean model's next-token distribution to the patched one, at the answer positions. */
    KL("kl"),
    /** Minus the logit difference (answer − distractor) at the answer positions. */
    LOGIT_DIFF("logit-diff");

    private final String id;

    MetricKind(String id) {
        this.id = id;
    }

    /** The command-line name. */
    public String id() {
        return id;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static MetricKind parse(String id) {
        for (MetricKind m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric '" + id + "': use kl or logit-diff");
    }
}
