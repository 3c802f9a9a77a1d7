package io.circuitscope.core.plugin;

import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadScores;
import java.util.Map;

/**
 * A detector whose id, description and settings were read once, when the host accepted it, so the rest of
 * circuitscope never calls plugin code outside the one guarded place, {@link #detect}.
 */
final class CheckedDetector implements HeadDetector {
    private final HeadDetector delegate;
    private final ExtensionDescription about;

    CheckedDetector(HeadDetector delegate, ExtensionDescription about) {
        this.delegate = delegate;
        this.about = about;
    }

    /** The plugin's own object. */
    HeadDetector delegate() {
        return delegate;
    }

    @Override
    public String id() {
        return about.id();
    }

    @Override
    public String description() {
        return about.description();
    }

    @Override
    public Map<String, String> options() {
        return about.options();
    }

    @Override
    public HeadScores detect(DetectionContext context) {
        return delegate.detect(context);
    }
}
