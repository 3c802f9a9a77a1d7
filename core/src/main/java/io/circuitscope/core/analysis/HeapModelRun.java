package io.circuitscope.core.analysis;

import io.circuitscope.spi.HookPoints;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.Tensor;
import java.util.Map;

/** A finished run's requested values on the heap: logits under {@link HookPoints#LOGITS}, and hooks by name. */
record HeapModelRun(Map<String, Tensor> values) implements ModelRun {
    @Override
    public Tensor logits() {
        return activation(HookPoints.LOGITS);
    }

    @Override
    public Tensor activation(String hookName) {
        Tensor t = values.get(hookName);
        if (t == null) {
            throw new IllegalArgumentException(hookName + " was not requested; requested: " + values.keySet());
        }
        return t;
    }
}
