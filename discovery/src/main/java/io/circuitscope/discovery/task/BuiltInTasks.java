package io.circuitscope.discovery.task;

import io.circuitscope.spi.CircuitTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The circuit tasks that ship with circuitscope, and the lookup of {@code --task} (an id or a CSV file). */
public final class BuiltInTasks {
    private BuiltInTasks() {
    }

    public static List<CircuitTask> all() {
        return List.of(new InductionCircuitTask(), new IoiCircuitTask());
    }

    /**
     * The task named by {@code --task}: a built-in id, or the path of a CSV file of prompts.
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
