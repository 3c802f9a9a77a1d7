package io.circuitscope.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugins folder is the flag's, else the environment's, else the one under the user's home. */
class PluginsDirectoryTest {
    private static final Path HOME = Path.of("/home/someone");

    @Test
    void theFlagWinsThenTheEnvironmentThenTheHomeFolder() {
        Map<String, String> env = Map.of("CIRCUITSCOPE_PLUGINS", "/opt/plugins");
        assertEquals(new PluginsDirectory(Path.of("/x"), "--plugins-dir"),
                PluginsDirectory.choose(Optional.of(Path.of("/x")), env, HOME));
        assertEquals(new PluginsDirectory(Path.of("/opt/plugins"), "$CIRCUITSCOPE_PLUGINS"),
                PluginsDirectory.choose(Optional.empty(), env, HOME));
        assertEquals(new PluginsDirectory(HOME.resolve(".circuitscope/plugins"), "default"),
                PluginsDirectory.choose(Optional.empty(), Map.of("CIRCUITSCOPE_PLUGINS", "  "), HOME));
        assertEquals(new PluginsDirectory(HOME.resolve(".circuitscope/plugins"), "default"),
                PluginsDirectory.choose(Optional.empty(), Map.of(), HOME));
    }

    @Test
    void onlyTheDefaultFolderMayBeAbsent(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), new PluginsDirectory(dir, "--plugins-dir").problem());
        assertEquals(Optional.empty(), new PluginsDirectory(dir.resolve("none"), "default").problem());
        assertEquals(Optional.of("plugins directory " + dir.resolve("none") + " ($CIRCUITSCOPE_PLUGINS) does not exist"),
                new PluginsDirectory(dir.resolve("none"), "$CIRCUITSCOPE_PLUGINS").problem());
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertEquals(Optional.of("plugins directory " + file + " (default) is not a directory"),
                new PluginsDirectory(file, "default").problem());
    }
}
