package io.circuitscope.wiki;

import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.spi.CircuitTask;
import java.util.List;

/**
 * Which discovery tasks a model's wiki page runs: the task its model card declares (every zoo model declares the one
 * it was trained on), else IOI and induction, the two behaviours studied in every GPT-2-like model.
 */
public final class WikiTasks {
    static final List<String> DEFAULT_TASKS = List.of("ioi", "induction");

    private WikiTasks() {
    }

    /** The tasks for {@code model}, chosen among {@code known} by id, in a fixed order. */
    public static List<CircuitTask> forModel(LoadedModel model, List<CircuitTask> known) {
        String declared = model.modelCard().map(c -> c.path("task").asText("")).orElse("");
        List<CircuitTask> mine = known.stream().filter(t -> t.id().equals(declared)).toList();
        if (!mine.isEmpty()) {
            return mine;
        }
        return DEFAULT_TASKS.stream().flatMap(id -> known.stream().filter(t -> t.id().equals(id))).toList();
    }
}
