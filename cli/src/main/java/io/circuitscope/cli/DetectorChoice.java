package io.circuitscope.cli;

import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.spi.HeadDetector;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The detectors a command runs: all of them, or those named by {@code --detectors}, each once, in the given order. */
final class DetectorChoice {
    private DetectorChoice() {
    }

    /** @throws ParameterException naming the known ids when an id is unknown */
    static List<HeadDetector> of(List<String> ids, CommandLine commandLine) {
        List<HeadDetector> all = PluginHost.builtIn().detectors();
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
}
