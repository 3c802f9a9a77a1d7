package io.circuitscope.wiki;

import io.circuitscope.discovery.method.DiscoveryResult;
import java.util.List;
import java.util.Optional;

/**
 * One discovery task's outcome on one model: the circuit, or why there is none.
 *
 * @param prompts a few of the task's clean prompts, as display text, for the provenance
 */
public record CircuitReport(String task, String description, Optional<DiscoveryResult> result,
                            Optional<String> problem, List<String> prompts, double seconds) {
    /** The file name stem of this task's circuit files. */
    public String fileStem() {
        return "circuit-" + task;
    }
}
