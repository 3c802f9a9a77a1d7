package io.circuitscope.wiki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.spi.CircuitTask;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WikiTasksTest {
    /** The built-in tasks, found through the extension index as the CLI finds them. */
    private static final List<CircuitTask> BUILT_IN = PluginHost.builtIn().tasks();

    private static List<String> ids(List<CircuitTask> tasks) {
        return tasks.stream().map(CircuitTask::id).toList();
    }

    @Test
    void aZooModelRunsTheTaskItsCardDeclaresAndOthersGetIoiAndInduction() {
        assertEquals(List.of("ioi"), ids(WikiTasks.forModel(ModelSource.load("zoo:toy-ioi"), BUILT_IN)));
        assertEquals(List.of("induction"),
                ids(WikiTasks.forModel(ModelSource.load("zoo:toy-induction"), BUILT_IN)));
        LoadedModel m = ModelSource.load("zoo:toy-ioi");
        LoadedModel bare = new LoadedModel("dir", m.parameters(), m.tokenizer(), Optional.empty());
        assertEquals(List.of("ioi", "induction"), ids(WikiTasks.forModel(bare, BUILT_IN)));
        // A card naming a task nobody knows falls back to the defaults, among the tasks that exist.
        LoadedModel odd = new LoadedModel("dir", m.parameters(), m.tokenizer(), Optional.of(
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("task", "sorting")));
        List<CircuitTask> onlyInduction = BUILT_IN.stream().filter(t -> t.id().equals("induction")).toList();
        assertEquals(List.of("induction"), ids(WikiTasks.forModel(odd, onlyInduction)));
    }
}
