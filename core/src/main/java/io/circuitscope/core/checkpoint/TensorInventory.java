package io.circuitscope.core.checkpoint;

import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.TensorFill;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads a checkpoint's tensors while recording which ones were used, so that a tensor the config does not account
 * for (a layer the config dropped, norm weights under a config without norms) is an error instead of being ignored.
 */
final class TensorInventory {
    private static final int NAMES_SHOWN = 8;

    private final Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
    private final Map<String, String> labelOf = new HashMap<>();
    private final String label;
    private final Set<String> used = new HashSet<>();

    TensorInventory(SafetensorsFile file, String label) {
        this(List.of(file), List.of(label), label);
    }

    /**
     * The tensors of several files (a sharded checkpoint), each named in messages by its own label; the whole is
     * {@code label}. A tensor stored in two files is an error, as transformers would have to pick one.
     */
    TensorInventory(List<SafetensorsFile> files, List<String> labels, String label) {
        this.label = label;
        for (int i = 0; i < files.size(); i++) {
            for (String name : files.get(i).names()) {
                if (fileOf.putIfAbsent(name, files.get(i)) != null) {
                    throw new CheckpointException(labels.get(i) + ": tensor '" + name + "' is also stored in "
                            + labelOf.get(name) + "; each tensor must be stored once");
                }
                labelOf.put(name, labels.get(i));
            }
        }
    }

    /** The checkpoint as messages name it: its file, or its shard index. */
    String label() {
        return label;
    }

    boolean contains(String name) {
        return fileOf.containsKey(name);
    }


    /** Reads tensor {@code name} with exactly {@code shape}, checks its values are finite, and marks it used. */
    FloatTensor read(String name, int... shape) {
        float[] values = new float[Math.toIntExact(FloatTensor.sizeOf(shape))];
        fill(name, shape).writeTo(FloatBuffer.wrap(values));
        return new FloatTensor(values, shape);
    }

    /**
     * Tensor {@code name}, to be decoded when the receiver asks, straight into the receiver's buffer; its shape must
     * be exactly {@code shape}, its values finite, and it is marked used once written.
     */
    TensorFill fill(String name, int... shape) {
        return out -> {
            int start = out.position();
            SafetensorsFile file = fileOf.get(name);
            if (file == null) {
                throw new CheckpointException(label + ": missing tensor '" + name + "' (expected shape "
                        + java.util.Arrays.toString(shape) + ")");
            }
            file.readInto(name, shape, out);
            for (int i = start; i < out.position(); i++) {
                float v = out.get(i);
                // No trained weight is NaN or infinite; one that is means damaged data, and every logit would follow.
                if (!Float.isFinite(v)) {
                    throw new CheckpointException(labelOf.get(name) + ": tensor '" + name + "' holds " + v + " at flat index "
                            + (i - start) + "; model weights must be finite, so the data is damaged");
                }
            }
            used.add(name);
        };
    }

    /**
     * Fails naming every tensor that was neither read nor {@code ignorable}.
     *
     * @param config the config file that describes the model, named in the message
     * @param hint which config fields to check, e.g. "check n_layers"
     */
    void requireAllUsed(Predicate<String> ignorable, Path config, String hint) {
        List<String> unused = new ArrayList<>();
        for (String name : fileOf.keySet()) {
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
