package io.circuitscope.wiki;

/** Hears what a wiki build is doing, stage by stage. */
@FunctionalInterface
public interface WikiProgress {
    WikiProgress NONE = (model, stage, detail) -> { };

    /**
     * @param model the model's slug
     * @param stage a stage that is starting: a detector id, "composition", "attention probes", "circuit &lt;task&gt;"
     * @param detail the current state within the stage (for example a discovery metric), or empty
     */
    void update(String model, String stage, String detail);
}
