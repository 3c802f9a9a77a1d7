package io.circuitscope.core.plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The folder plugin jars are loaded from, and where that choice came from: {@code --plugins-dir}, else
 * {@code $CIRCUITSCOPE_PLUGINS}, else {@code ~/.circuitscope/plugins}.
 *
 * @param source how the folder was chosen, in the words a user typed: {@code --plugins-dir},
 *     {@code $CIRCUITSCOPE_PLUGINS} or {@code default}
 */
public record PluginsDirectory(Path path, String source) {
    /** The environment variable naming a plugins folder. */
    public static final String ENVIRONMENT_VARIABLE = "CIRCUITSCOPE_PLUGINS";

    /**
     * @param flag the value of {@code --plugins-dir}, if given
     * @param environment the process environment
     * @param home the user's home folder
     */
    public static PluginsDirectory choose(Optional<Path> flag, Map<String, String> environment, Path home) {
        if (flag.isPresent()) {
            return new PluginsDirectory(flag.get(), "--plugins-dir");
        }
        String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return new PluginsDirectory(Path.of(fromEnvironment), "$" + ENVIRONMENT_VARIABLE);
        }
        return new PluginsDirectory(home.resolve(".circuitscope").resolve("plugins"), "default");
    }

    /** The folder chosen for this process: its flag, its environment and its user's home. */
    public static PluginsDirectory forProcess(Optional<Path> flag) {
        return choose(flag, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * Why this folder cannot be read, or empty when it can. The default folder may simply not exist (no plugins
     * installed); a folder the user named must.
     */
    public Optional<String> problem() {
        if (Files.isDirectory(path)) {
            return Files.isReadable(path) ? Optional.empty()
                    : Optional.of("plugins directory " + path + " (" + source + ") cannot be read");
        }
        if (source.equals("default") && !Files.exists(path)) {
            return Optional.empty();
        }
        return Optional.of("plugins directory " + path + " (" + source + ") "
                + (Files.exists(path) ? "is not a directory" : "does not exist"));
    }
}
