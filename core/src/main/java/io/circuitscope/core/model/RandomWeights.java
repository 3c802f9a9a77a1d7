package io.circuitscope.core.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Deterministic random weights for a config: for benchmarks, tests and as a training initialisation. */
public final class RandomWeights {
    private RandomWeights() {
    }

    /**
     * Every parameter drawn from N(0, std^2), LayerNorm weights from 1 + N(0, std^2), so that every part of the
     * model affects its output (useful for oracles and benchmarks).
     */
    public static ModelWeights dense(ModelConfig config, long seed, double std) {
        return generate(config, seed, std, true);
    }

    /** GPT-2 style initialisation: matrices from N(0, std^2), biases zero, LayerNorm weights one. */
    public static ModelWeights initialisation(ModelConfig config, long seed, double std) {
        return generate(config, seed, std, false);
    }

    private static ModelWeights generate(ModelConfig config, long seed, double std, boolean randomBiases) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : ParameterLayout.of(config).entrySet()) {
            String name = e.getKey();
            FloatTensor t = FloatTensor.zeros(e.getValue());
            float[] d = t.data();
            String leaf = name.substring(name.lastIndexOf('.') + 1);
            boolean lnWeight = leaf.equals("w");
            boolean bias = leaf.startsWith("b");
            for (int i = 0; i < d.length; i++) {
                double g = gaussian(rng);
                if (lnWeight) {
                    d[i] = (float) (1.0 + (randomBiases ? std * g : 0.0));
                } else if (bias) {
                    d[i] = randomBiases ? (float) (std * g) : 0f;
                } else {
                    d[i] = (float) (std * g);
                }
            }
            tensors.put(name, t);
        }
        return new ModelWeights(config, tensors);
    }

    private static double gaussian(SplittableRandom rng) {
        // Box-Muller keeps the stream reproducible across JDKs, unlike Random.nextGaussian's caching.
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
