package io.circuitscope.discovery.method;

/** Receives progress from a long discovery run, for a progress bar. */
@FunctionalInterface
public interface DiscoveryProgress {
    DiscoveryProgress NONE = (phase, done, total, metric) -> { };

    /**
     * @param phase what is being done, e.g. "acdc" or "faithfulness curve"
     * @param done edges (or steps) finished so far
     * @param total edges (or steps) in this phase
     * @param metric the current circuit's metric, or NaN when there is none yet
     */
    void update(String phase, long done, long total, double metric);
}
