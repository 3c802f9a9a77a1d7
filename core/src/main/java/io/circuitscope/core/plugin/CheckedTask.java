package io.circuitscope.core.plugin;

import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.TaskContext;
import io.circuitscope.spi.TaskExample;
import java.util.List;
import java.util.Map;

/**
 * A task whose id, description, default metric and settings were read once, when the host accepted it, so only
 * {@link #examples} still calls plugin code.
 */
final class CheckedTask implements CircuitTask {
    private final CircuitTask delegate;
    private final String id;
    private final String description;
    private final String defaultMetric;
    private final Map<String, String> options;

    CheckedTask(CircuitTask delegate, String id, String description, String defaultMetric,
                Map<String, String> options) {
        this.delegate = delegate;
        this.id = id;
        this.description = description;
        this.defaultMetric = defaultMetric;
        this.options = Map.copyOf(options);
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
    public String defaultMetric() {
        return defaultMetric;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    @Override
    public List<TaskExample> examples(TaskContext context) {
        return delegate.examples(context);
    }
}
