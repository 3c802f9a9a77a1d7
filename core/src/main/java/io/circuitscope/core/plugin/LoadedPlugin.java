package io.circuitscope.core.plugin;

import java.nio.file.Path;

/**
 * A plugin jar that loaded.
 *
 * @param extensions how many of its detectors and tasks were usable
 */
public record LoadedPlugin(String id, String version, String provider, Path jar, int extensions) {
}
