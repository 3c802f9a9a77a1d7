package io.circuitscope.core.zoo;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.checkpoint.NativeCheckpoint;
import io.circuitscope.core.io.AtomicFileWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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
        card.put("optimizer", Map.of("name", "AdamW", "peak_learning_rate", task.learningRate(),
                "betas", new double[] {0.9, 0.98}, "weight_decay", 0.01,
                "schedule", "linear warm-up (min(200, steps/10) steps), cosine decay to 10%"));
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

    /** Writes the model directory; every file goes through a temp file moved into place. */
    public static void write(Path dir, ZooTask task, ZooTrainer.Result r) {
        NativeCheckpoint.write(dir, r.weights());
        task.vocabulary().ifPresent(v -> v.write(dir.resolve("vocab.txt")));
        try {
            AtomicFileWriter.writeJson(dir.resolve("model-card.json"), card(task, r));
        } catch (IOException e) {
            throw new CircuitscopeException(dir + ": cannot write model-card.json (" + e.getMessage() + ")", e);
        }
    }
}
