package io.circuitscope.core.plugin;

import java.util.Map;

/** What a detector or task says about itself, read once when the host accepts it. */
record ExtensionDescription(String id, String description, Map<String, String> options) {
    ExtensionDescription {
        options = Map.copyOf(options);
    }
}
