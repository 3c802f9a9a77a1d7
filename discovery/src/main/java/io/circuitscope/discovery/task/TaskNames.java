package io.circuitscope.discovery.task;

import io.circuitscope.spi.CircuitTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The lookup of {@code --task}: the id of a known task, or a CSV file of prompts. */
public final class TaskNames {
    private TaskNames() {
    }

    /**
     * The task named by {@code --task}: the id of a known task (built-in or from a plugin), or the path of a CSV file of prompts.
     *
     * @throws IllegalArgumentException naming the known tasks
     */
    public static CircuitTask resolve(String name, List<CircuitTask> known) {
        for (CircuitTask t : known) {
            if (t.id().equals(name)) {
                return t;
            }
        }
        if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
            Path file = Path.of(name);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("task file " + name + " does not exist or is not a file");
            }
            return new CsvCircuitTask(file);
        }
        throw new IllegalArgumentException("unknown task '" + name + "'; known tasks: "
                + String.join(", ", known.stream().map(CircuitTask::id).toList()) + ", or a .csv file of prompts");
    }
}
