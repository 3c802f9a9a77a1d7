package io.circuitscope.detectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.plugin.ExtensionOrigin;
import io.circuitscope.core.plugin.Installed;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.spi.HeadDetector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-in detectors are found through PF4J's extension index, in the column order of {@code heads.csv}. */
class BuiltInDetectorsTest {
    @Test
    void everyBuiltInIsFoundOnceInColumnOrder() {
        try (PluginHost host = PluginHost.builtIn()) {
            assertEquals(List.of("previous-token", "duplicate-token", "induction", "name-mover",
                    "negative-name-mover", "s-inhibition", "backup-name-mover"),
                    host.detectors().stream().map(HeadDetector::id).toList());
            for (Installed<HeadDetector> i : host.installedDetectors()) {
                assertEquals(ExtensionOrigin.BUILT_IN, i.origin());
            }
            assertTrue(host.problems().isEmpty(), host.problems()::toString);
            assertTrue(host.plugins().isEmpty());
        }
    }
}
