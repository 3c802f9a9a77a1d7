package io.circuitscope.core.plugin;

import java.util.Optional;

/**
 * Where a detector or task comes from: circuitscope itself, or a plugin jar with its id and version.
 *
 * @param pluginId empty for a built-in
 */
public record ExtensionOrigin(Optional<String> pluginId, String version) {
    /** The origin of everything that ships inside circuitscope. */
    public static final ExtensionOrigin BUILT_IN = new ExtensionOrigin(Optional.empty(), "");

    public static ExtensionOrigin plugin(String id, String version) {
        return new ExtensionOrigin(Optional.of(id), version);
    }

    /** {@code built-in}, or {@code plugin <id> <version>}. */
    public String label() {
        return pluginId.map(id -> "plugin " + id + " " + version).orElse("built-in");
    }
}
