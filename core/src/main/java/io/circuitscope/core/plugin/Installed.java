package io.circuitscope.core.plugin;

/** A detector or task together with where it came from. */
public record Installed<T>(T extension, ExtensionOrigin origin) {
}
