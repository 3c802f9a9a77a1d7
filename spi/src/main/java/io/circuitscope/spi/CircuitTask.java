package io.circuitscope.spi;

import java.util.List;
import java.util.Map;
import org.pf4j.ExtensionPoint;

/**
 * A behaviour whose circuit can be discovered: pairs of clean and corrupted prompts in token ids, with the positions
 * at which the model's answer is read; built-in tasks and plugin jars implement this one interface.
 */
public interface CircuitTask extends ExtensionPoint {
    /** A stable kebab-case id, the value of {@code --task}. */
    String id();

    /** One sentence saying what behaviour the task isolates. */
    String description();

    /** The metric used when the user names none: {@code kl} or {@code logit-diff}. */
    String defaultMetric();

    /** The settings this task reads through {@link TaskContext#option}, each with a one-line description. */
    default Map<String, String> options() {
        return Map.of();
    }

    /**
     * The examples, drawn from the context's random source so that a seed reproduces them.
     *
     * @throws ProbeUnavailableException when the model cannot serve this task (for example no tokenizer)
     */
    List<TaskExample> examples(TaskContext context);
}
