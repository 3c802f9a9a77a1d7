package io.circuitscope.wiki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.spi.CircuitTask;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WikiTasksTest {
    private static List<String> ids(List<CircuitTask> tasks) {
        return tasks.stream().map(CircuitTask::id).toList();
    }

    @Test
    void aZooModelRunsTheTaskItsCardDeclaresAndOthersGetIoiAndInduction() {
        assertEquals(List.of("ioi"), ids(WikiTasks.forModel(ModelSource.load("zoo:toy-ioi"), PluginHost.builtIn().tasks())));
        assertEquals(List.of("induction"),
                ids(WikiTasks.forModel(ModelSource.load("zoo:toy-induction"), PluginHost.builtIn().tasks())));
        LoadedModel m = ModelSource.load("zoo:toy-ioi");
        LoadedModel bare = new LoadedModel("dir", m.parameters(), m.tokenizer(), Optional.empty());
        assertEquals(List.of("ioi", "induction"), ids(WikiTasks.forModel(bare, PluginHost.builtIn().tasks())));
        // A card naming a task nobody knows falls back to the defaults, among the tasks that exist.
        LoadedModel odd = new LoadedModel("dir", m.parameters(), m.tokenizer(), Optional.of(
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("task", "sorting")));
        List<CircuitTask> onlyInduction = PluginHost.builtIn().tasks().stream().filter(t -> t.id().equals("induction")).toList();
        assertEquals(List.of("induction"), ids(WikiTasks.forModel(odd, onlyInduction)));
    }
}
