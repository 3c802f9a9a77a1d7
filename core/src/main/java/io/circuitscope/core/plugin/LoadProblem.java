package io.circuitscope.core.plugin;

/**
 * Why a plugin jar, or one extension inside it, was skipped.
 *
 * @param source the jar's file name, or the plugin id and class when the jar loaded but an extension did not
 */
public record LoadProblem(String source, String message) {
    @Override
    public String toString() {
        return source + ": " + message;
    }
}
