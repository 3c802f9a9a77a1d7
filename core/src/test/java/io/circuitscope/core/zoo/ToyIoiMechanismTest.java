package io.circuitscope.core.zoo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.circuitscope.core.engine.ActivationCache;
import io.circuitscope.core.engine.HookNames;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.engine.RunOptions;
import io.circuitscope.core.engine.TensorBridge;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.probe.IoiPrompt;
import io.circuitscope.core.source.ModelSource;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The shipped toy-ioi model answers with whichever of the first two names is not repeated, wherever S2 sits, and has
 * duplicate-token heads that attend from S2 to S1.
 */
class ToyIoiMechanismTest {
    private static final double DUPLICATE_ATTENTION = 0.5;

    @Test
    void duplicateTokenHeadsAttendFromS2ToS1() {
        IoiTask task = new IoiTask();
        List<IoiPrompt> prompts = task.shortcutDefeatingPrompts(new SplittableRandom(11), 100);
        SplittableRandom rng = new SplittableRandom(12);
        List<Integer> all = java.util.stream.IntStream.range(0, IoiTask.TEMPLATES.size()).boxed().toList();
        for (int i = 0; i < 100; i++) {
            prompts.add(task.prompts().sample(rng, all));
        }
        int[][] tokens = prompts.stream().map(p -> task.padToContext(p.tokens())).toArray(int[][]::new);
        try (HookedTransformer model = HookedTransformer.load(ModelSource.load("zoo:toy-ioi").parameters());
             NDManager out = model.manager().newSubManager()) {
            ModelConfig c = model.config();
            RunOptions.Builder cache = RunOptions.builder();
            for (int l = 0; l < c.nLayers(); l++) {
                cache.cache(HookNames.pattern(l));
            }
            ActivationCache clean = model.run(out, tokens, cache.build()).cache();
            double best = 0;
            StringBuilder report = new StringBuilder();
            for (int l = 0; l < c.nLayers(); l++) {
                FloatTensor pattern = TensorBridge.toHeap(clean.get(HookNames.pattern(l)));  // [b, h, q, k]
                for (int h = 0; h < c.nHeads(); h++) {
                    double sum = 0;
                    for (int b = 0; b < prompts.size(); b++) {
                        IoiPrompt p = prompts.get(b);
                        sum += at(pattern, b, h, p.s2Pos(), p.s1Pos());
                    }
                    double mean = sum / prompts.size();
                    report.append(String.format(java.util.Locale.ROOT, " a%d.h%d=%.2f", l, h, mean));
                    best = Math.max(best, mean);
                }
            }
            // The first toy-ioi found S2 by position: no head put more than 0.17 of its attention from S2 on S1.
            assertTrue(best >= DUPLICATE_ATTENTION, "no head attends S2 -> S1 with >= 0.5:" + report);
        }
    }

    @Test
    void repeatingTheOtherNameFlipsTheAnswerEvenWhenAnotherNameFollowsS2() {
        IoiTask task = new IoiTask();
        List<IoiPrompt> prompts = task.shortcutDefeatingPrompts(new SplittableRandom(21), 200);
        // S2 now repeats IO instead of S: a model that follows the repetition must now prefer S.
        int[][] flipped = prompts.stream().map(p -> {
            int[] t = task.padToContext(p.tokens());
            t[p.s2Pos()] = p.ioToken();
            return t;
        }).toArray(int[][]::new);
        try (HookedTransformer model = HookedTransformer.load(ModelSource.load("zoo:toy-ioi").parameters());
             NDManager out = model.manager().newSubManager()) {
            double meanDiff = meanLogitDiff(model, out, flipped, prompts, RunOptions.none());
            FloatTensor logits = TensorBridge.toHeap(model.run(out, flipped, RunOptions.none()).logits());
            int flippedCount = 0;
            for (int b = 0; b < prompts.size(); b++) {
                IoiPrompt p = prompts.get(b);
                int base = (b * logits.dim(1) + p.endPos()) * logits.dim(2);
                flippedCount += logits.data()[base + p.sToken()] > logits.data()[base + p.ioToken()] ? 1 : 0;
            }
            assertTrue(flippedCount >= 0.9 * prompts.size(), "S above IO after the flip in only " + flippedCount
                    + " of " + prompts.size() + " prompts");
            assertTrue(meanDiff < -2, "mean logit(IO) - logit(S) after the flip: " + meanDiff);
        }
    }

    private static float at(FloatTensor t, int b, int h, int q, int k) {
        int heads = t.dim(1);
        int pos = t.dim(2);
        return t.data()[((b * heads + h) * pos + q) * pos + k];
    }

    private static double meanLogitDiff(HookedTransformer model, NDManager out, int[][] tokens, List<IoiPrompt> prompts,
                                        RunOptions options) {
        FloatTensor logits = TensorBridge.toHeap(model.run(out, tokens, options).logits());
        int pos = logits.dim(1);
        int vocab = logits.dim(2);
        double sum = 0;
        for (int b = 0; b < prompts.size(); b++) {
            IoiPrompt p = prompts.get(b);
            int base = (b * pos + p.endPos()) * vocab;
            sum += logits.data()[base + p.ioToken()] - logits.data()[base + p.sToken()];
        }
        return sum / prompts.size();
    }
}
