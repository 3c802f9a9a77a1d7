package io.circuitscope.discovery.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.plugin.ExtensionOrigin;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.spi.CircuitTask;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The built-in tasks are found through PF4J's extension index, induction first. */
class BuiltInTasksTest {
    @Test
    void bothBuiltInTasksAreFoundWithTheirOrigin() {
        try (PluginHost host = PluginHost.builtIn()) {
            assertEquals(List.of("induction", "ioi"), host.tasks().stream().map(CircuitTask::id).toList());
            assertEquals(Optional.of(ExtensionOrigin.BUILT_IN), host.taskOrigin("ioi"));
            assertTrue(host.detectors().isEmpty(), "discovery ships no detectors");
            assertTrue(host.problems().isEmpty(), host.problems()::toString);
        }
    }
}
