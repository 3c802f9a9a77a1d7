package io.circuitscope.core.zoo;

import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.tokenizer.WordLevelTokenizer;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/** A behaviour a zoo model is trained on: its architecture, data, held-out evaluation and documented data format. */
public interface ZooTask {
    /** The task's name as given to {@code train --task}. */
    String name();

    ModelConfig architecture();

    /** The steps the shipped model was trained for. */
    int defaultSteps();

    int batchSize();

    double learningRate();

    /** A fresh random training batch. */
    TrainingBatch batch(SplittableRandom rng);

    /** Metrics on held-out data, compared against the task's required thresholds. */
    TaskEvaluation evaluate(HookedTransformer model);

    /** Everything needed to evaluate the model independently of this code: BOS id, token ids, lengths, texts. */
    Map<String, Object> dataFormat();

    /** The word-level vocabulary to ship with the model, if its tokens are words. */
    Optional<WordLevelTokenizer> vocabulary();
}
