package io.circuitscope.core.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import java.util.LinkedHashMap;
import java.util.Map;

/** A transformer whose parameters are trained in place by cross-entropy steps with AdamW, on the hooked forward pass. */
public final class TrainableTransformer implements AutoCloseable {
    private final Engine engine;
    private final ModelConfig config;
    private final NDManager root;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private final HookedTransformer model;
    private final AdamW optimizer;
    private int steps;

    /** Starts from the given weights, which are copied to the engine. */
    public TrainableTransformer(ModelWeights initial, AdamW optimizer) {
        this.engine = EngineBootstrap.pytorch();
        this.config = initial.config();
        this.optimizer = optimizer;
        this.root = engine.newBaseManager();
        for (Map.Entry<String, FloatTensor> e : initial.tensors().entrySet()) {
            NDArray p = TensorBridge.toEngine(root, e.getValue());
            p.setRequiresGradient(true);
            params.put(e.getKey(), p);
            firstMoments.put(e.getKey(), root.zeros(p.getShape()));
            secondMoments.put(e.getKey(), root.zeros(p.getShape()));
        }
        this.model = HookedTransformer.wrap(config, params);
    }

    /**
     * One optimiser step on the mean cross-entropy over positions whose target is not -1; returns that loss.
     *
     * @param tokens [batch][pos] input ids
     * @param targets [batch][pos] the next id to predict, or -1 where the loss ignores the position
     */
    public double step(int[][] tokens, int[][] targets, double learningRate) {
        double loss = lossAndGradients(tokens, targets);
        steps++;
        update(learningRate);
        return loss;
    }

    /** The current parameters, copied to the heap. */
    public ModelWeights weights() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            out.put(e.getKey(), TensorBridge.toHeap(e.getValue()));
        }
        return new ModelWeights(config, out);
    }

    private double lossAndGradients(int[][] tokens, int[][] targetIds) {
        int batch = tokens.length;
        int pos = tokens[0].length;
        int[] flatTokens = new int[batch * pos];
        long[] flatTargets = new long[batch * pos];
        float[] weights = new float[batch * pos];
        int counted = 0;
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < pos; t++) {
                flatTokens[i * pos + t] = tokens[i][t];
                int target = targetIds[i][t];
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

    private void update(double lr) {
        double c1 = 1 - Math.pow(optimizer.beta1(), steps);
        double c2 = 1 - Math.pow(optimizer.beta2(), steps);
        try (NDManager scope = root.newSubManager()) {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                NDArray m = firstMoments.get(e.getKey());
                NDArray v = secondMoments.get(e.getKey());
                // Temporaries of the update land in this scope, not in the long-lived root.
                scope.tempAttachAll(p, m, v);
                NDArray g = p.getGradient();
                m.muli(optimizer.beta1()).addi(g.mul(1 - optimizer.beta1()));
                v.muli(optimizer.beta2()).addi(g.square().mul(1 - optimizer.beta2()));
                if (e.getKey().substring(e.getKey().lastIndexOf('.') + 1).startsWith("W_")) {
                    p.subi(p.mul(lr * optimizer.weightDecay()));
                }
                p.subi(m.div(c1).div(v.div(c2).sqrt().add(optimizer.epsilon())).mul(lr));
                // Gradients accumulate across backward passes, so clear them for the next step.
                g.subi(g);
            }
        }
    }

    @Override
    public void close() {
        root.close();
    }
}
