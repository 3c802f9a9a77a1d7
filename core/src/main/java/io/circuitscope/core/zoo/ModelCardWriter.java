package io.circuitscope.core.zoo;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.checkpoint.NativeCheckpoint;
import io.circuitscope.core.io.AtomicFileWriter;
import io.circuitscope.core.io.IoFailure;
import io.circuitscope.core.io.TreeDeleter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/** Writes a trained zoo model as a native directory: config.json, model.safetensors, vocab.txt and model-card.json. */
public final class ModelCardWriter {
    private ModelCardWriter() {
    }

    /** The model card's content: task, architecture, seed, steps, loss, held-out metrics, timing and data format. */
    public static Map<String, Object> card(ZooTask task, ZooTrainer.Result r) {
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("name", task.architecture().modelName());
        card.put("task", task.name());
        card.put("architecture", task.architecture());
        card.put("parameters", r.weights().parameterCount());
        card.put("seed", r.seed());
        card.put("steps", r.steps());
        card.put("batch_size", task.batchSize());
        card.put("optimizer", ZooTrainer.recipe(task));
        card.put("final_loss", r.finalLoss());
        card.put("metrics", r.evaluation().metrics());
        card.put("thresholds", r.evaluation().thresholds());
        card.put("meets_thresholds", r.evaluation().passed());
        card.put("training_seconds", Math.round(r.trainingSeconds() * 10) / 10.0);
        card.put("data_format", task.dataFormat());
        card.put("reproduce", "circuitscope train --task " + task.name() + " --steps " + r.steps() + " --seed "
                + r.seed() + " --out DIR");
        return card;
    }

    /**
     * Fails unless {@code dir} can receive a new model: it must not exist or be an empty directory, so that a
     * model never mixes with another's files (a stale vocab.txt would silently become its tokenizer).
     */
    public static void checkTarget(Path dir) {
        if (Files.isSymbolicLink(dir)) {
            // The finished model is moved into place as a whole, which would replace the link itself.
            throw new CircuitscopeException(dir + ": is a symbolic link; give the directory it points to instead");
        }
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new CircuitscopeException(dir + ": exists and is not a directory");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new CircuitscopeException(dir + ": already exists and is not empty; choose a new directory");
            }
        } catch (IOException e) {
            throw new CircuitscopeException(dir + ": cannot read: " + IoFailure.describe(e), e);
        }
    }

    /** Writes the model into a temporary sibling directory, then moves it into place as a whole. */
    public static void write(Path dir, ZooTask task, ZooTrainer.Result r) {
        checkTarget(dir);
        Path target = dir.toAbsolutePath();
        Path staging = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            NativeCheckpoint.write(staging, r.weights());
            task.vocabulary().ifPresent(v -> v.write(staging.resolve("vocab.txt")));
            AtomicFileWriter.writeJson(staging.resolve("model-card.json"), card(task, r));
            Files.deleteIfExists(target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CircuitscopeException(dir + ": cannot write the model: " + IoFailure.describe(e), e);
        } finally {
            TreeDeleter.deleteQuietly(staging);
        }
    }
}
