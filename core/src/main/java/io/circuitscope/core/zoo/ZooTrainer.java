package io.circuitscope.core.zoo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.circuitscope.core.engine.EngineBootstrap;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.engine.TensorBridge;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.RandomWeights;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a {@link ZooTask}'s model from scratch with DJL autograd and AdamW (linear warm-up, cosine decay),
 * deterministically for a given seed: the data, the initialisation and the update order depend on nothing else.
 */
public final class ZooTrainer {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.98;
    private static final double ADAM_EPS = 1e-8;
    private static final double WEIGHT_DECAY = 0.01;
    private static final double INIT_STD = 0.02;
    private static final int LOSS_WINDOW = 50;

    private ZooTrainer() {
    }

    /** What a training run produced. */
    public record Result(ModelWeights weights, int steps, long seed, double finalLoss, TaskEvaluation evaluation,
                         double trainingSeconds) {
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
        Engine engine = EngineBootstrap.pytorch();
        engine.setRandomSeed((int) seed);
        ModelWeights init = RandomWeights.initialisation(task.architecture(), seed, INIT_STD);
        SplittableRandom data = new SplittableRandom(seed ^ 0x5DEECE66DL);
        Deque<Double> recent = new ArrayDeque<>();
        try (NDManager root = engine.newBaseManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            Map<String, NDArray> m = new LinkedHashMap<>();
            Map<String, NDArray> v = new LinkedHashMap<>();
            for (Map.Entry<String, FloatTensor> e : init.tensors().entrySet()) {
                NDArray p = TensorBridge.toEngine(root, e.getValue());
                p.setRequiresGradient(true);
                params.put(e.getKey(), p);
                m.put(e.getKey(), root.zeros(p.getShape()));
                v.put(e.getKey(), root.zeros(p.getShape()));
            }
            HookedTransformer model = HookedTransformer.wrap(task.architecture(), params);
            for (int step = 1; step <= steps; step++) {
                TrainingBatch batch = task.batch(data);
                double loss = lossAndGradients(engine, root, model, batch);
                double lr = learningRate(task.learningRate(), step, steps);
                adamW(root, params, m, v, step, lr);
                recent.addLast(loss);
                if (recent.size() > LOSS_WINDOW) {
                    recent.removeFirst();
                }
                listener.onStep(step, loss);
            }
            ModelWeights trained = toHeap(task, params);
            double finalLoss = recent.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            TaskEvaluation eval;
            try (HookedTransformer frozen = HookedTransformer.load(trained)) {
                eval = task.evaluate(frozen);
            }
            return new Result(trained, steps, seed, finalLoss, eval, (System.nanoTime() - start) / 1e9);
        }
    }

    /** Mean cross-entropy over the batch's target positions; leaves the gradients in the parameters. */
    private static double lossAndGradients(Engine engine, NDManager root, HookedTransformer model, TrainingBatch b) {
        int batch = b.tokens().length;
        int pos = b.tokens()[0].length;
        int[] flatTokens = new int[batch * pos];
        long[] flatTargets = new long[batch * pos];
        float[] weights = new float[batch * pos];
        int counted = 0;
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < pos; t++) {
                flatTokens[i * pos + t] = b.tokens()[i][t];
                int target = b.targets()[i][t];
                flatTargets[i * pos + t] = Math.max(target, 0);
                if (target >= 0) {
                    weights[i * pos + t] = 1f;
                    counted++;
                }
            }
        }
        try (NDManager scope = root.newSubManager(); GradientCollector gc = engine.newGradientCollector()) {
            NDArray ids = scope.create(flatTokens, new Shape(batch, pos));
            NDArray targets = scope.create(flatTargets, new Shape(batch, pos, 1));
            NDArray mask = scope.create(weights, new Shape(batch, pos));
            NDArray logProbs = model.logitsInScope(scope, ids).logSoftmax(-1);
            NDArray picked = logProbs.gather(targets, -1).reshape(batch, pos);
            NDArray loss = picked.mul(mask).sum().neg().div(Math.max(counted, 1));
            gc.backward(loss);
            return loss.toType(DataType.FLOAT64, false).getDouble();
        }
    }

    /** One AdamW step with decoupled weight decay on the weight matrices only, not on biases or LayerNorm. */
    private static void adamW(NDManager root, Map<String, NDArray> params, Map<String, NDArray> m,
                              Map<String, NDArray> v, int step, double lr) {
        double c1 = 1 - Math.pow(BETA1, step);
        double c2 = 1 - Math.pow(BETA2, step);
        try (NDManager scope = root.newSubManager()) {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                NDArray mi = m.get(e.getKey());
                NDArray vi = v.get(e.getKey());
                scope.tempAttachAll(p, mi, vi);
                NDArray g = p.getGradient();
                mi.muli(BETA1).addi(g.mul(1 - BETA1));
                vi.muli(BETA2).addi(g.square().mul(1 - BETA2));
                if (decays(e.getKey())) {
                    p.subi(p.mul(lr * WEIGHT_DECAY));
                }
                p.subi(mi.div(c1).div(vi.div(c2).sqrt().add(ADAM_EPS)).mul(lr));
                // Gradients accumulate across backward passes, so clear them for the next step.
                g.subi(g);
            }
        }
    }

    private static boolean decays(String name) {
        String leaf = name.substring(name.lastIndexOf('.') + 1);
        return leaf.startsWith("W_");
    }

    private static double learningRate(double peak, int step, int steps) {
        int warmup = Math.min(200, Math.max(1, steps / 10));
        if (step <= warmup) {
            return peak * step / warmup;
        }
        double progress = (double) (step - warmup) / Math.max(1, steps - warmup);
        return peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    private static ModelWeights toHeap(ZooTask task, Map<String, NDArray> params) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            out.put(e.getKey(), TensorBridge.toHeap(e.getValue()));
        }
        return new ModelWeights(task.architecture(), out);
    }
}
