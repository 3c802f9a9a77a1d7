package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.RandomWeights;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every entry point releases the model's lock, so another thread can always run next; a closed model says so. */
class PassLockTest {
    private static final ModelConfig CFG = new ModelConfig(2, 16, 4, 4, 24, 23, 12, "gelu_new", "LN", false,
            "standard", 1e-5, null, "lock");
    private static final int[][] TOKENS = {{1, 2, 3, 4}};

    @Test
    void everyEntryPointLetsAnotherThreadRunAfterIt() throws Exception {
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(CFG, 71, 0.3));
             NDManager out = model.manager().newSubManager()) {
            java.util.List<Consumer<HookedTransformer>> calls = java.util.List.of(
                    m -> m.run(out, TOKENS, RunOptions.none()),
                    m -> m.run(out, out.create(new long[] {1, 2, 3}, new ai.djl.ndarray.types.Shape(1, 3)),
                            RunOptions.none()),
                    m -> m.residualBefore(out, TOKENS, 1, RunOptions.none()),
                    m -> m.runFrom(out, m.residualBefore(out, TOKENS, 1, RunOptions.none()).residual(), 1,
                            RunOptions.none()),
                    m -> m.gradients(out, TOKENS, RunOptions.builder().gradient(HookNames.EMBED).build(),
                            NDArray::sum),
                    m -> m.parameter(out, "embed.W_E"),
                    m -> m.components().embed(out, TOKENS));
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                for (int i = 0; i < calls.size(); i++) {
                    calls.get(i).accept(model);
                    float[] logits = other.submit(() -> model.logitsOnHeap(TOKENS).data()).get(20, TimeUnit.SECONDS);
                    assertEquals(4 * 23, logits.length, "call " + i);
                }
            } finally {
                other.shutdownNow();
            }
        }
    }

    @Test
    void aClosedModelRefusesToRunFromAnyThread() throws Exception {
        HookedTransformer model = HookedTransformer.load(RandomWeights.dense(CFG, 72, 0.3));
        model.close();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> other.submit(() -> model.logitsOnHeap(TOKENS)).get(20, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().toString());
        } finally {
            other.shutdownNow();
        }
    }
}
