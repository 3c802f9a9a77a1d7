package io.circuitscope.core.zoo;

import io.circuitscope.core.engine.AdamW;
import io.circuitscope.core.engine.EngineBootstrap;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.engine.TrainableTransformer;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.RandomWeights;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Trains a {@link ZooTask}'s model from scratch with AdamW; the seed fixes the initialisation and every batch. */
public final class ZooTrainer {
    private static final AdamW OPTIMIZER = AdamW.standard();
    private static final double INIT_STD = 0.02;
    private static final int LOSS_WINDOW = 50;

    private ZooTrainer() {
    }

    /** What a training run produced; {@code trainingSeconds} excludes the evaluation. */
    public record Result(ModelWeights weights, int steps, long seed, double finalLoss, TaskEvaluation evaluation,
                         double trainingSeconds) {
    }

    /** The optimiser, schedule and initialisation, as a model card states them. */
    public static Map<String, Object> recipe(ZooTask task) {
        Map<String, Object> r = new LinkedHashMap<>(OPTIMIZER.describe());
        r.put("peak_learning_rate", task.learningRate());
        r.put("schedule", "linear warm-up over min(200, steps/10) steps, then cosine decay to 10% of the peak");
        r.put("initialisation", "N(0, " + INIT_STD + ") matrices, zero biases, unit LayerNorm weights");
        r.put("loss", "mean cross-entropy over the batch's target positions");
        return r;
    }

    /** Trains for {@code steps} optimiser steps and evaluates the result on the task's held-out data. */
    public static Result train(ZooTask task, int steps, long seed, TrainingListener listener) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
        return EngineBootstrap.singleThreaded(() -> trainSingleThreaded(task, steps, seed, listener));
    }

    private static Result trainSingleThreaded(ZooTask task, int steps, long seed, TrainingListener listener) {
        long start = System.nanoTime();
        ModelWeights init = RandomWeights.initialisation(task.architecture(), seed, INIT_STD);
        SplittableRandom data = new SplittableRandom(seed ^ 0x5DEECE66DL);
        Deque<Double> recent = new ArrayDeque<>();
        ModelWeights trained;
        try (TrainableTransformer model = new TrainableTransformer(init, OPTIMIZER)) {
            for (int step = 1; step <= steps; step++) {
                TrainingBatch batch = task.batch(data);
                double loss = model.step(batch.tokens(), batch.targets(),
                        learningRate(task.learningRate(), step, steps));
                recent.addLast(loss);
                if (recent.size() > LOSS_WINDOW) {
                    recent.removeFirst();
                }
                listener.onStep(step, loss);
            }
            trained = model.weights();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double finalLoss = recent.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        try (HookedTransformer frozen = HookedTransformer.load(trained)) {
            return new Result(trained, steps, seed, finalLoss, task.evaluate(frozen), seconds);
        }
    }

    private static double learningRate(double peak, int step, int steps) {
        int warmup = Math.min(200, Math.max(1, steps / 10));
        if (step <= warmup) {
            return peak * step / warmup;
        }
        double progress = (double) (step - warmup) / Math.max(1, steps - warmup);
        return peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
