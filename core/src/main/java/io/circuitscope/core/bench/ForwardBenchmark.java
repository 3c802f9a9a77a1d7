package io.circuitscope.core.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.circuitscope.core.engine.EngineBootstrap;
import io.circuitscope.core.engine.HookNames;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.engine.RunOptions;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterSource;
import io.circuitscope.core.model.RandomWeights;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Measures forward throughput with hooks off and with every hook cached, and compares the hooks-off rate with the
 * matrix-multiply rate libtorch itself reaches on this machine (the ceiling any forward pass on it can approach).
 */
public final class ForwardBenchmark {
    private final int batch;
    private final int positions;
    private final int iterations;

    public ForwardBenchmark(int batch, int positions, int iterations) {
        this.batch = batch;
        this.positions = positions;
        this.iterations = iterations;
    }

    /** A GPT-2-small-shaped config (12 layers, 12 heads, d_model 768, vocab 50257). */
    public static ModelConfig gpt2SmallShape() {
        return new ModelConfig(12, 768, 12, 64, 3072, 50257, 1024, "gelu_new", "LN", false, "standard", 1e-5,
                50256, "gpt2-small-shaped (random weights)");
    }

    /** Random GPT-2-small-shaped weights. */
    public static ModelWeights gpt2SmallRandom() {
        return RandomWeights.dense(gpt2SmallShape(), 1234, 0.02);
    }

    /** The measured figures of one benchmark run. */
    public record Result(String model, int batch, int positions, int iterations, double tokensPerSecondHooksOff,
                         double tokensPerSecondCacheAll, int hooksCached, double forwardGflopPerSecond,
                         double matmulGflopPerSecond, double matmulOnlySeconds, long peakRssMiB) {
        public double cacheAllSlowdown() {
            return tokensPerSecondHooksOff / tokensPerSecondCacheAll;
        }

        public double fractionOfMatmulRate() {
            return forwardGflopPerSecond / matmulGflopPerSecond;
        }

        /** Hooks-off forward time over the time of its matrix multiplies alone: 1.0 would mean zero overhead. */
        public double forwardOverMatmulOnly() {
            return batch * positions / tokensPerSecondHooksOff / matmulOnlySeconds;
        }
    }

    /** Runs the benchmark on a model; warm-up passes come before every timed series. */
    public Result run(String label, ParameterSource weights) {
        ModelConfig cfg = weights.config();
        int pos = Math.min(positions, cfg.nCtx());
        int[][] tokens = randomTokens(cfg.dVocab(), pos);
        try (HookedTransformer model = HookedTransformer.load(weights)) {
            RunOptions all = RunOptions.cacheAll();
            timeForward(model, tokens, RunOptions.none());
            timeForward(model, tokens, all);
            // Interleave the two series so that machine noise affects both alike.
            double off = 0;
            double cached = 0;
            for (int i = 0; i < iterations; i++) {
                off += timeForward(model, tokens, RunOptions.none());
                cached += timeForward(model, tokens, all);
            }
            double nTokens = (double) batch * pos * iterations;
            double flops = forwardFlops(cfg, batch, pos) * iterations;
            return new Result(label, batch, pos, iterations, nTokens / off, nTokens / cached,
                    HookNames.all(cfg).size(), flops / off / 1e9, matmulGflops(cfg, batch * pos),
                    matmulOnlySeconds(cfg, batch, pos), LoadMemoryProbe.peakResidentMiB());
        }
    }

    private static double timeForward(HookedTransformer model, int[][] tokens, RunOptions options) {
        long t0 = System.nanoTime();
        try (NDManager out = model.manager().newSubManager()) {
            NDArray logits = model.run(out, tokens, options).logits();
            // Reading one value forces the computation to finish before the clock stops.
            logits.get(0, 0, 0).getFloat();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * The fastest of {@code timed} runs of {@code work} after one untimed warm-up; each run's arrays go into a
     * scope closed after it, and its last array is read so the computation has finished when the clock stops.
     */
    private static double bestSeconds(NDManager m, int timed, Function<NDManager, NDArray> work) {
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep <= timed; rep++) {
            try (NDManager scope = m.newSubManager()) {
                long t0 = System.nanoTime();
                NDArray last = work.apply(scope);
                last.get(new long[last.getShape().dimension()]).getFloat();
                if (rep > 0) {
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        return best;
    }

    /**
     * Multiply-adds of the matmuls of one forward pass, counted as 2 flops each: queries and outputs per query head,
     * keys and values per key-value head, and two or (gated) three MLP projections.
     */
    static double forwardFlops(ModelConfig c, int batch, int pos) {
        double tokens = (double) batch * pos;
        double d = c.dModel();
        double perLayer = 2 * tokens * 2.0 * d * (c.nHeads() + c.kvHeads()) * c.dHead()
                + 2 * 2 * (double) batch * c.nHeads() * pos * pos * c.dHead();
        if (c.hasMlp()) {
            perLayer += 2 * tokens * (c.gated() ? 3.0 : 2.0) * d * c.mlpWidth();
        }
        return c.nLayers() * perLayer + 2 * tokens * d * c.dVocab();
    }

    /** libtorch's float32 matmul rate for the model's largest square-ish product, best of a few runs. */
    private static double matmulGflops(ModelConfig c, int rows) {
        int inner = c.dModel();
        int cols = c.hasMlp() ? c.mlpWidth() : 4 * c.dModel();
        try (NDManager m = EngineBootstrap.pytorch().newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(rows, inner));
            NDArray b = m.randomNormal(new Shape(inner, cols));
            double best = bestSeconds(m, 5, s -> attached(a.matMul(b), s));
            return 2.0 * rows * inner * cols / best / 1e9;
        }
    }

    /**
     * The best of three runs of just the matrix multiplies one forward pass makes, on random operands of the same
     * shapes: the floor that plain libtorch code for this model could reach on this machine.
     */
    private static double matmulOnlySeconds(ModelConfig c, int batch, int pos) {
        long tokens = (long) batch * pos;
        long hd = (long) c.nHeads() * c.dHead();
        try (NDManager m = EngineBootstrap.pytorch().newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(tokens, c.dModel()));
            NDArray z = m.randomNormal(new Shape(tokens, hd));
            NDArray wQkv = m.randomNormal(new Shape(c.dModel(), hd + 2L * c.kvHeads() * c.dHead()));
            NDArray wO = m.randomNormal(new Shape(hd, c.dModel()));
            NDArray q = m.randomNormal(new Shape(batch, c.nHeads(), pos, c.dHead()));
            NDArray kT = m.randomNormal(new Shape(batch, c.nHeads(), c.dHead(), pos));
            NDArray pattern = m.randomNormal(new Shape(batch, c.nHeads(), pos, pos));
            NDArray wU = m.randomNormal(new Shape(c.dModel(), c.dVocab()));
            NDArray wIn = c.hasMlp() ? m.randomNormal(new Shape(c.dModel(), c.mlpWidth())) : null;
            NDArray h = c.hasMlp() ? m.randomNormal(new Shape(tokens, c.mlpWidth())) : null;
            NDArray wOut = c.hasMlp() ? m.randomNormal(new Shape(c.mlpWidth(), c.dModel())) : null;
            return bestSeconds(m, 3, s -> {
                for (int l = 0; l < c.nLayers(); l++) {
                    attached(x.matMul(wQkv), s);
                    attached(q.matMul(kT), s);
                    attached(pattern.matMul(q), s);
                    attached(z.matMul(wO), s);
                    if (wIn != null) {
                        attached(x.matMul(wIn), s);
                        if (c.gated()) {
                            attached(x.matMul(wIn), s);
                        }
                        attached(h.matMul(wOut), s);
                    }
                }
                return attached(x.matMul(wU), s);
            });
        }
    }

    private static NDArray attached(NDArray a, NDManager scope) {
        a.attach(scope);
        return a;
    }

    private int[][] randomTokens(int vocab, int pos) {
        SplittableRandom rng = new SplittableRandom(7);
        int[][] t = new int[batch][pos];
        for (int[] row : t) {
            for (int p = 0; p < pos; p++) {
                row[p] = rng.nextInt(vocab);
            }
        }
        return t;
    }
}
