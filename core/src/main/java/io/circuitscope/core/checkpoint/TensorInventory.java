package io.circuitscope.core.checkpoint;

import io.circuitscope.core.model.FloatTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads a checkpoint's tensors while recording which ones were used, so that a tensor the config does not account
 * for (a layer the config dropped, norm weights under a config without norms) is an error instead of being ignored.
 */
final class TensorInventory {
    private static final int NAMES_SHOWN = 8;

    private final SafetensorsFile file;
    private final String label;
    private final Set<String> used = new HashSet<>();

    TensorInventory(SafetensorsFile file, String label) {
        this.file = file;
        this.label = label;
    }

    boolean contains(String name) {
        return file.names().contains(name);
    }

    /** Reads tensor {@code name} with exactly {@code shape}, checks its values are finite, and marks it used. */
    FloatTensor read(String name, int... shape) {
        FloatTensor t = file.read(name, shape);
        float[] values = t.data();
        for (int i = 0; i < values.length; i++) {
            // No trained weight is NaN or infinite; one that is means damaged data, and every logit would follow it.
            if (!Float.isFinite(values[i])) {
                throw new CheckpointException(label + ": tensor '" + name + "' holds " + values[i] + " at flat index "
                        + i + "; model weights must be finite, so the data is damaged");
            }
        }
        used.add(name);
        return t;
    }

    /**
     * Fails naming every tensor that was neither read nor {@code ignorable}.
     *
     * @param config the config file that describes the model, named in the message
     * @param hint which config fields to check, e.g. "check n_layers"
     */
    void requireAllUsed(Predicate<String> ignorable, Path config, String hint) {
        List<String> unused = new ArrayList<>();
        for (String name : file.names()) {
            if (!used.contains(name) && !ignorable.test(name)) {
                unused.add(name);
            }
        }
        if (!unused.isEmpty()) {
            String shown = String.join(", ", unused.subList(0, Math.min(NAMES_SHOWN, unused.size())))
                    + (unused.size() > NAMES_SHOWN ? ", ... (" + (unused.size() - NAMES_SHOWN) + " more)" : "");
            String count = unused.size() + (unused.size() == 1 ? " tensor is" : " tensors are");
            throw new CheckpointException(label + ": " + count
                    + " not used by the model that " + config + " describes: " + shown + "; the config and the"
                    + " weights disagree (" + hint + ")");
        }
    }
}
