package io.circuitscope.discovery.task;

import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.IoiProbe;
import io.circuitscope.spi.TaskContext;
import io.circuitscope.spi.TaskExample;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;

/**
 * Indirect object identification: "When Mary and John went to the store, John gave a drink to" → " Mary", against
 * the ABC corruption (all three names replaced by other names, so no name repeats); the distractor is the subject.
 */
@Extension(ordinal = 2)
public final class IoiCircuitTask implements CircuitTask {
    @Override
    public String id() {
        return "ioi";
    }

    @Override
    public String description() {
        return "name the indirect object rather than the repeated subject (corrupted: three other names, ABC)";
    }

    @Override
    public String defaultMetric() {
        return "logit-diff";
    }

    @Override
    public List<TaskExample> examples(TaskContext context) {
        List<IoiProbe> clean = context.probes().ioiPrompts(context.random(), context.exampleCount());
        List<IoiProbe> corrupted = context.probes().ioiAbcCorruptions(clean, context.random());
        List<TaskExample> out = new ArrayList<>();
        for (int i = 0; i < clean.size(); i++) {
            IoiProbe c = clean.get(i);
            out.add(new TaskExample(c.tokens(), corrupted.get(i).tokens(), new int[] {c.endPos()},
                    new int[] {c.ioToken()}, new int[] {c.sToken()}));
        }
        return out;
    }
}
