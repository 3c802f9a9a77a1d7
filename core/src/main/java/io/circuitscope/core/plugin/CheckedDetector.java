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
    private final String id;
    private final String description;
    private final Map<String, String> options;

    CheckedDetector(HeadDetector delegate, String id, String description, Map<String, String> options) {
        this.delegate = delegate;
        this.id = id;
        this.description = description;
        this.options = Map.copyOf(options);
    }

    /** The plugin's own object. */
    HeadDetector delegate() {
        return delegate;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    @Override
    public HeadScores detect(DetectionContext context) {
        return delegate.detect(context);
    }
}
