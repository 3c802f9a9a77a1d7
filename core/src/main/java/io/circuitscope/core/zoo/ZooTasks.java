package io.circuitscope.core.zoo;

import io.circuitscope.core.CircuitscopeException;
import java.util.List;

/** The tasks {@code circuitscope train} knows, by name. */
public final class ZooTasks {
    private ZooTasks() {
    }

    public static List<String> names() {
        return List.of("induction", "ioi");
    }

    /** The task with this name, or a clear error listing the known ones. */
    public static ZooTask byName(String name) {
        return switch (name) {
            case "induction" -> new InductionTask();
            case "ioi" -> new IoiTask();
            default -> throw new CircuitscopeException("unknown task '" + name + "'; known tasks: " + names());
        };
    }
}
