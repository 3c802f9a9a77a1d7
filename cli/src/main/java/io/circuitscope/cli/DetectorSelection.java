package io.circuitscope.cli;

import io.circuitscope.core.analysis.DetectorRunner;
import io.circuitscope.spi.HeadDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

/**
 * {@code --detectors} and {@code --detector-timeout}: which detectors a command runs (all of them, or those named,
 * each once, in the given order) and how long each may take.
 */
final class DetectorSelection {
    @Option(names = "--detectors", split = ",", paramLabel = "ID",
            description = "Comma-separated detector ids, built-in or from plugins (default: all).")
    List<String> ids;

    @Option(names = "--detector-timeout", paramLabel = "SECONDS",
            description = "How long one detector may run on one model before it is reported and abandoned "
                    + "(default: 600).")
    Double timeoutSeconds;

    /** @throws ParameterException naming the known ids when an id is unknown */
    List<HeadDetector> choose(List<HeadDetector> all, CommandLine commandLine) {
        if (ids == null) {
            return all;
        }
        List<HeadDetector> picked = new ArrayList<>();
        for (String id : ids) {
            HeadDetector d = all.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow(() ->
                    new ParameterException(commandLine, "unknown detector '" + id + "'; known detectors: "
                            + String.join(", ", all.stream().map(HeadDetector::id).toList())));
            if (!picked.contains(d)) {
                picked.add(d);
            }
        }
        return picked;
    }

    /** @throws ParameterException when the limit is not a positive number of seconds */
    Duration timeLimit(CommandLine commandLine) {
        if (timeoutSeconds == null) {
            return DetectorRunner.DEFAULT_TIME_LIMIT;
        }
        if (!(timeoutSeconds > 0) || timeoutSeconds > 1e9) {
            throw new ParameterException(commandLine, "--detector-timeout must be a positive number of seconds, got "
                    + timeoutSeconds);
        }
        return Duration.ofMillis(Math.round(timeoutSeconds * 1000));
    }
}
