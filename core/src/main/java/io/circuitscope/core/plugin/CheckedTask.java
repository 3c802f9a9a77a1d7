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
    private final ExtensionDescription about;
    private final String defaultMetric;

    CheckedTask(CircuitTask delegate, ExtensionDescription about, String defaultMetric) {
        this.delegate = delegate;
        this.about = about;
        this.defaultMetric = defaultMetric;
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
    public String defaultMetric() {
        return defaultMetric;
    }

    @Override
    public Map<String, String> options() {
        return about.options();
    }

    @Override
    public List<TaskExample> examples(TaskContext context) {
        return delegate.examples(context);
    }
}
