package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.RandomWeights;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Training steps against a hand computation in plain Java doubles: the masked mean cross-entropy and its
 * finite-difference gradients from the float64 {@link ReferenceTransformer}, and AdamW written out element by element.
 */
class TrainableTransformerTest {
    /** Two layers with MLPs and gelu_new, so that the backward pass runs through every kind of block and norm. */
    private static final ModelConfig CONFIG =
            new ModelConfig(2, 8, 2, 4, 12, 7, 6, "gelu_new", "LN", false, "standard", 1e-5, null, "train-test");

    private static final int[][] TOKENS = {{1, 4, 2, 6, 0}, {3, 3, 5, 2, 6}};
    /** Row 0 ignores its first two positions, row 1 its last; target 0 is a real target, not an ignored one. */
    private static final int[][] TARGETS = {{-1, -1, 0, 5, 1}, {2, 0, 6, 4, -1}};

    /** Unusual betas, so that a bias correction taken with the wrong sign or power shows at both steps. */
    private static final AdamW OPTIMIZER = new AdamW(0.8, 0.9, 1e-2, 0.1);
    private static final double LR = 0.05;

    /** Central differences in float64 are accurate to about 1e-9 here; the engine's float32 step to about 1e-7. */
    private static final double FD_STEP = 1e-4;
    private static final double LOSS_TOL = 1e-5;
    private static final double PARAM_TOL = 2e-6;

    @Test
    void twoStepsMatchHandComputedLossGradientsAndAdamW() {
        ModelWeights initial = RandomWeights.dense(CONFIG, 7, 0.3);
        Map<String, double[]> m = new HashMap<>();
        Map<String, double[]> v = new HashMap<>();
        try (TrainableTransformer trainer = new TrainableTransformer(initial, OPTIMIZER)) {
            ModelWeights current = initial;
            for (int step = 1; step <= 2; step++) {
                ReferenceTransformer ref = new ReferenceTransformer(current);
                double expectedLoss = maskedMeanCrossEntropy(ref, TOKENS, TARGETS);
                Map<String, double[]> grads = finiteDifferenceGradients(ref, current);
                Map<String, double[]> expected = adamW(current, grads, m, v, step);

                double loss = trainer.step(TOKENS, TARGETS, LR);

                assertEquals(expectedLoss, loss, LOSS_TOL, "loss at step " + step);
                current = trainer.weights();
                assertParamsClose(expected, current, "parameters after step " + step);
            }
        }
    }

    @Test
    void positionsWithTargetMinusOneDoNotCountInTheLoss() {
        // All targets -1 except one: the loss is that one position's cross-entropy, not a mean diluted by the rest.
        int[][] targets = {{-1, -1, -1, -1, -1}, {-1, -1, 3, -1, -1}};
        ModelWeights initial = RandomWeights.dense(CONFIG, 8, 0.3);
        DoubleTensor logits = new ReferenceTransformer(initial).logits(TOKENS);
        double expected = -logSoftmax(logits, 1, 2, 3);
        try (TrainableTransformer trainer = new TrainableTransformer(initial, OPTIMIZER)) {
            assertEquals(expected, trainer.step(TOKENS, targets, LR), LOSS_TOL);
        }
    }

    @Test
    void stepsAndCloseLeaveNoEngineArraysBehind() {
        NDManager system = EngineBootstrap.pytorch().newBaseManager().getParentManager();
        int before = system.getManagedArrays().size();
        int afterFirstStep;
        try (TrainableTransformer trainer = new TrainableTransformer(RandomWeights.dense(CONFIG, 9, 0.3), OPTIMIZER)) {
            trainer.step(TOKENS, TARGETS, LR);
            afterFirstStep = system.getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                trainer.step(TOKENS, TARGETS, LR);
            }
            assertEquals(afterFirstStep, system.getManagedArrays().size(),
                    "a step keeps only parameters, moments and gradients; its temporaries are freed");
        }
        assertTrue(afterFirstStep > before, "the trainer's arrays are visible from the system manager");
        assertEquals(before, system.getManagedArrays().size(), "close() frees parameters, moments and gradients");
    }

    /** The mean over positions whose target is not -1 of -log softmax(logits)[target], in float64. */
    private static double maskedMeanCrossEntropy(ReferenceTransformer ref, int[][] tokens, int[][] targets) {
        DoubleTensor logits = ref.logits(tokens);
        double sum = 0;
        int counted = 0;
        for (int b = 0; b < tokens.length; b++) {
            for (int p = 0; p < tokens[b].length; p++) {
                if (targets[b][p] != -1) {
                    sum -= logSoftmax(logits, b, p, targets[b][p]);
                    counted++;
                }
            }
        }
        return sum / counted;
    }

    private static double logSoftmax(DoubleTensor logits, int b, int p, int target) {
        int vocab = logits.dim(2);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits.get(b, p, i));
        }
        double norm = 0;
        for (int i = 0; i < vocab; i++) {
            norm += Math.exp(logits.get(b, p, i) - max);
        }
        return logits.get(b, p, target) - max - Math.log(norm);
    }

    /** d loss / d parameter for every element of every parameter, by central differences in float64. */
    private static Map<String, double[]> finiteDifferenceGradients(ReferenceTransformer ref, ModelWeights at) {
        Map<String, double[]> grads = new HashMap<>();
        for (String name : at.tensors().keySet()) {
            double[] p = ref.parameter(name).data;
            double[] g = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                double saved = p[i];
                p[i] = saved + FD_STEP;
                double up = maskedMeanCrossEntropy(ref, TOKENS, TARGETS);
                p[i] = saved - FD_STEP;
                double down = maskedMeanCrossEntropy(ref, TOKENS, TARGETS);
                p[i] = saved;
                g[i] = (up - down) / (2 * FD_STEP);
            }
            grads.put(name, g);
        }
        return grads;
    }

    /**
     * One AdamW step from {@code params}, updating the moments in place: decoupled weight decay on W_* matrices
     * only, then the bias-corrected Adam update, exactly as in Loshchilov and Hutter (and torch.optim.AdamW).
     */
    private static Map<String, double[]> adamW(ModelWeights params, Map<String, double[]> grads,
            Map<String, double[]> m, Map<String, double[]> v, int step) {
        double b1 = OPTIMIZER.beta1();
        double b2 = OPTIMIZER.beta2();
        double c1 = 1 - Math.pow(b1, step);
        double c2 = 1 - Math.pow(b2, step);
        Map<String, double[]> out = new HashMap<>();
        for (Map.Entry<String, FloatTensor> e : params.tensors().entrySet()) {
            String name = e.getKey();
            float[] p = e.getValue().data();
            double[] g = grads.get(name);
            double[] mm = m.computeIfAbsent(name, k -> new double[p.length]);
            double[] vv = v.computeIfAbsent(name, k -> new double[p.length]);
            boolean decays = name.substring(name.lastIndexOf('.') + 1).startsWith("W_");
            double[] next = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                mm[i] = b1 * mm[i] + (1 - b1) * g[i];
                vv[i] = b2 * vv[i] + (1 - b2) * g[i] * g[i];
                double decayed = decays ? p[i] * (1 - LR * OPTIMIZER.weightDecay()) : p[i];
                next[i] = decayed - LR * (mm[i] / c1) / (Math.sqrt(vv[i] / c2) + OPTIMIZER.epsilon());
            }
            out.put(name, next);
        }
        return out;
    }

    private static void assertParamsClose(Map<String, double[]> expected, ModelWeights actual, String what) {
        assertEquals(expected.keySet(), actual.tensors().keySet(), what + ": parameter names");
        for (Map.Entry<String, double[]> e : expected.entrySet()) {
            float[] a = actual.get(e.getKey()).data();
            double worst = 0;
            for (int i = 0; i < a.length; i++) {
                worst = Math.max(worst, Math.abs(e.getValue()[i] - a[i]));
            }
            assertTrue(worst <= PARAM_TOL, what + ": " + e.getKey() + " max |diff| " + worst);
        }
    }
}
