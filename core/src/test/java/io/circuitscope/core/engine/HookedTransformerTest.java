package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.checkpoint.CheckpointLayout;
import io.circuitscope.core.checkpoint.HfGpt2Writer;
import io.circuitscope.core.checkpoint.NativeCheckpoint;
import io.circuitscope.core.model.FloatTensor;
import java.util.Set;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterSource;
import io.circuitscope.core.model.RandomWeights;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The DJL forward pass against the float64 {@link ReferenceTransformer} oracle. */
class HookedTransformerTest {
    private static final double ATOL = 1e-4;
    private static final int BATCH = 2;
    private static final int POS = 10;

    static Stream<ModelConfig> configs() {
        return Stream.of(
                config("LN", false, "gelu_new"),
                config("LNPre", true, null),
                config(null, false, "relu"),
                config("LN", false, "gelu"),
                config("LNPre", false, "silu"),
                neoxLike(),
                llamaLike(2, 3, true),
                llamaLike(1, 4, false),
                llamaLike(4, null, false),
                qwenLikeParallel());
    }

    /** GPT-NeoX's pieces: LayerNorm, rotary on half of each head, parallel attention and MLP, exact GELU. */
    static ModelConfig neoxLike() {
        return new ModelConfig(3, 16, 4, 4, 24, 23, 12, "gelu", "LN", false, "rotary", 1e-5, null, "test-neox",
                null, 2, 10000.0, true, null, null, null, null, null, null, null);
    }

    /**
     * Llama's pieces: RMSNorm, full rotary, grouped-query attention with {@code kv} key-value heads (stored as
     * TransformerLens's {@code _W_K} even when there are as many as query heads), a SwiGLU MLP, a sliding window, and optionally Llama 3's scaling (wavelengths 6.3 and 628 against 16 / 4 and 16 / 2: one
     * frequency in the blended band, one slowed).
     */
    static ModelConfig llamaLike(int kv, Integer window, boolean llama3) {
        return new ModelConfig(3, 16, 4, 4, 24, 23, 12, "silu", "RMS", false, "rotary", 1e-6, null,
                "test-llama-kv" + kv, kv, null, 10000.0, null, true, window, llama3 ? true : null,
                llama3 ? 8.0 : null, llama3 ? 2.0 : null, llama3 ? 4.0 : null, llama3 ? 16 : null);
    }

    /** Every new piece at once, under a parameter-free RMSNorm: grouped, rotary, gated and parallel. */
    static ModelConfig qwenLikeParallel() {
        return new ModelConfig(3, 16, 4, 4, 24, 23, 12, "silu", "RMSPre", false, "rotary", 1e-6, null,
                "test-rmspre-parallel", 2, null, 1e6, true, true, null, null, null, null, null, null);
    }

    private static ModelConfig config(String norm, boolean attnOnly, String act) {
        return new ModelConfig(3, 16, 4, 4, attnOnly ? null : 24, 23, 12, act, norm, attnOnly, "standard", 1e-5, null,
                "test-" + norm + "-" + act);
    }

    private static int[][] tokens(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] t = new int[BATCH][POS];
        for (int[] row : t) {
            for (int p = 0; p < POS; p++) {
                row[p] = rng.nextInt(23);
            }
        }
        return t;
    }

    @ParameterizedTest
    @MethodSource("configs")
    void logitsMatchReference(ModelConfig cfg) {
        ModelWeights w = RandomWeights.dense(cfg, 11, 0.3);
        int[][] toks = tokens(1);
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            assertClose(new ReferenceTransformer(w).logits(toks), model.logits(out, toks), "logits");
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void everyCachedActivationMatchesReference(ModelConfig cfg) {
        ModelWeights w = RandomWeights.dense(cfg, 12, 0.3);
        int[][] toks = tokens(2);
        Map<String, DoubleTensor> expected = new HashMap<>();
        DoubleTensor refLogits = new ReferenceTransformer(w).logits(toks, (name, v) -> {
            expected.put(name, v);
            return v;
        });
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            ForwardResult r = model.run(out, toks, RunOptions.cacheAll());
            assertEquals(HookNames.all(cfg), List.copyOf(r.cache().names()), "cache holds every hook in forward order");
            for (String name : HookNames.all(cfg)) {
                assertClose(expected.get(name), r.cache().get(name), name);
            }
            assertClose(refLogits, r.logits(), "logits with caching");
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void patchesMatchReference(ModelConfig cfg) {
        ModelWeights w = RandomWeights.dense(cfg, 13, 0.3);
        int[][] clean = tokens(3);
        int[][] corrupt = tokens(4);
        ReferenceTransformer ref = new ReferenceTransformer(w);
        Map<String, DoubleTensor> corruptRef = new HashMap<>();
        ref.logits(corrupt, (name, v) -> {
            corruptRef.put(name, v);
            return v;
        });
        // Patched points cover every path a single-edge patch can take: a head's output, a head's key input from
        // upstream, a pattern, and (with MLPs) an MLP output.
        Map<String, int[]> patched = new HashMap<>();
        patched.put(HookNames.result(0), new int[] {2, 2});
        patched.put(HookNames.kInput(1), new int[] {1, 2});
        patched.put(HookNames.vInput(2), new int[] {3, 2});
        patched.put(HookNames.qInput(2), new int[] {0, 2});
        patched.put(HookNames.pattern(1), new int[] {0, 1});
        patched.put(HookNames.attnScores(2), new int[] {1, 1});
        DoubleTensor refLogits = ref.logits(clean, (name, v) -> {
            if (patched.containsKey(name)) {
                return replaceHead(v, corruptRef.get(name), patched.get(name)[0], patched.get(name)[1]);
            }
            if (cfg.hasMlp() && name.equals(HookNames.mlpOut(1))) {
                return corruptRef.get(name);
            }
            return v;
        });
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            Set<String> needed = new java.util.HashSet<>(patched.keySet());
            if (cfg.hasMlp()) {
                needed.add(HookNames.mlpOut(1));
            }
            ActivationCache source = model.run(out, corrupt,
                    RunOptions.builder().cache(needed.toArray(new String[0])).build()).cache();
            RunOptions.Builder b = RunOptions.builder();
            patched.forEach((name, spec) -> b.patch(name,
                    ActivationPatch.replaceHeads(source.get(name), spec[1], spec[0])));
            if (cfg.hasMlp()) {
                b.patch(HookNames.mlpOut(1), ActivationPatch.replaceWith(source.get(HookNames.mlpOut(1))));
            }
            assertClose(refLogits, model.run(out, clean, b.build()).logits(), "patched logits");
        }
    }

    private static DoubleTensor replaceHead(DoubleTensor v, DoubleTensor src, int head, int axis) {
        DoubleTensor outT = v.copy();
        int[] s = v.shape;
        int inner = 1;
        for (int i = axis + 1; i < s.length; i++) {
            inner *= s[i];
        }
        for (int i = 0; i < outT.data.length; i++) {
            if ((i / inner) % s[axis] == head) {
                outT.data[i] = src.data[i];
            }
        }
        return outT;
    }

    @Test
    void hfAndNativeLayoutsGiveTheReferenceLogits(@TempDir Path dir) throws Exception {
        ModelConfig cfg = config("LN", false, "gelu_new");
        ModelWeights untied = HfGpt2Writer.withoutUnembedBias(RandomWeights.dense(cfg, 14, 0.3));
        ModelWeights tied = HfGpt2Writer.tie(untied);
        HfGpt2Writer.write(dir.resolve("hf-prefixed-tied"), tied, true, true);
        HfGpt2Writer.write(dir.resolve("hf-plain-untied"), untied, false, false);
        NativeCheckpoint.write(dir.resolve("native"), untied);
        int[][] toks = tokens(5);
        Map<Path, ModelWeights> cases = Map.of(
                dir.resolve("hf-prefixed-tied"), tied,
                dir.resolve("hf-plain-untied"), untied,
                dir.resolve("native"), untied);
        for (Map.Entry<Path, ModelWeights> c : cases.entrySet()) {
            ParameterSource loaded = CheckpointLayout.of(c.getKey()).parameters(c.getKey());
            try (HookedTransformer model = HookedTransformer.load(loaded);
                 NDManager out = model.manager().newSubManager()) {
                assertClose(new ReferenceTransformer(c.getValue()).logits(toks), model.logits(out, toks),
                        c.getKey().getFileName().toString());
            }
        }
    }

    @Test
    void forwardPassesLeaveNothingBehindInTheModelScope() {
        ModelConfig cfg = config("LN", false, "gelu_new");
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(cfg, 15, 0.3))) {
            int before = model.manager().getManagedArrays().size();
            NDArray kept;
            try (NDManager out = model.manager().newSubManager()) {
                ActivationCache src = model.run(out, tokens(6),
                        RunOptions.builder().cache(HookNames.z(1), HookNames.result(0)).build()).cache();
                for (int i = 0; i < 5; i++) {
                    RunOptions opts = RunOptions.builder()
                            .cacheMatching(n -> n.contains("attn"))
                            .patch(HookNames.z(1), ActivationPatch.replaceWith(src.get(HookNames.z(1))))
                            .patch(HookNames.kInput(2), a -> a.mul(0.5))
                            .patch(HookNames.result(0), ActivationPatch.replaceHeads(src.get(HookNames.result(0)), 2, 1))
                            .build();
                    model.run(out, tokens(7 + i), opts);
                }
                kept = model.logits(out, tokens(20));
                int inScope = out.getManagedArrays().size();
                // The source run (logits + 2 hooks), five patched runs (logits + cached hooks each), the kept logits:
                // nothing a patch computes may land here, even when it reads arrays that live here.
                int perRun = 1 + (int) HookNames.all(cfg).stream().filter(n -> n.contains("attn")).count();
                assertEquals(3 + 5 * perRun + 1, inScope, "arrays owned by the caller's scope");
                assertEquals(before + inScope, model.manager().getManagedArrays().size(),
                        "the model's own scope holds only its parameters and the caller's scope");
            }
            assertTrue(kept.isReleased(), "closing the caller's scope frees what the runs returned");
            assertEquals(before, model.manager().getManagedArrays().size(), "parameters only after the runs");
        }
    }

    @Test
    void aPatchThatWritesIntoMlpInDoesNotReachTheResidualStream() {
        ModelConfig cfg = config("LN", false, "gelu_new");
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(cfg, 17, 0.3));
             NDManager out = model.manager().newSubManager()) {
            RunOptions inPlace = RunOptions.builder().cache(HookNames.residMid(1))
                    .patch(HookNames.mlpIn(1), a -> a.muli(0)).build();
            RunOptions copying = RunOptions.builder().cache(HookNames.residMid(1))
                    .patch(HookNames.mlpIn(1), a -> a.mul(0)).build();
            ForwardResult a = model.run(out, tokens(30), inPlace);
            ForwardResult b = model.run(out, tokens(30), copying);
            assertEquals(0f, a.logits().sub(b.logits()).abs().max().getFloat(), "same logits either way");
            assertTrue(a.cache().get(HookNames.residMid(1)).abs().sum().getFloat() > 0, "resid_mid is intact");
        }
    }

    @Test
    void unknownHookNamesAreRejectedRatherThanSilentlyIgnored() {
        ModelConfig cfg = config("LNPre", true, null);
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(cfg, 18, 0.3));
             NDManager out = model.manager().newSubManager()) {
            IllegalArgumentException typo = assertThrows(IllegalArgumentException.class, () -> model.run(out,
                    tokens(31), RunOptions.builder().cache("blocks.0.attn.hook_patern").build()));
            assertTrue(typo.getMessage().contains("blocks.0.attn.hook_patern"), typo.getMessage());
            IllegalArgumentException mlp = assertThrows(IllegalArgumentException.class, () -> model.run(out,
                    tokens(31), RunOptions.builder().patch(HookNames.mlpOut(0), a -> a).build()));
            assertTrue(mlp.getMessage().contains("attention-only"), mlp.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.run(out, tokens(31),
                    RunOptions.builder().cache(HookNames.z(3)).build()), "layer 3 of a 3-layer model");
        }
    }

    @Test
    void tokenArraysAreValidatedLikeJavaArrays() {
        ModelConfig cfg = config("LN", false, "gelu_new");
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(cfg, 19, 0.3));
             NDManager out = model.manager().newSubManager()) {
            NDArray flat = out.create(new int[] {1, 2, 3});
            assertThrows(CircuitscopeException.class, () -> model.run(out, flat, RunOptions.none()));
            NDArray tooBig = out.create(new int[][] {{1, 99}});
            CircuitscopeException e = assertThrows(CircuitscopeException.class,
                    () -> model.run(out, tooBig, RunOptions.none()));
            assertTrue(e.getMessage().contains("token id 99"), e.getMessage());
            NDArray ok = out.create(tokens(32));
            assertClose(new ReferenceTransformer(RandomWeights.dense(cfg, 19, 0.3)).logits(tokens(32)),
                    model.run(out, ok, RunOptions.none()).logits(), "NDArray tokens");
        }
    }

    @Test
    void rejectsTokensOutOfRangeAndSequencesLongerThanTheContext() {
        ModelConfig cfg = config("LN", false, "gelu_new");
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(cfg, 16, 0.3));
             NDManager out = model.manager().newSubManager()) {
            CircuitscopeException range = assertThrows(CircuitscopeException.class,
                    () -> model.logits(out, new int[][] {{1, 23}}));
            assertTrue(range.getMessage().contains("token id 23 at position 1 is out of range"), range.getMessage());
            CircuitscopeException longer = assertThrows(CircuitscopeException.class,
                    () -> model.logits(out, new int[][] {new int[13]}));
            assertTrue(longer.getMessage().contains("13 tokens is longer than the model's context n_ctx = 12"),
                    longer.getMessage());
        }
    }

    @Test
    void engineTokenArraysGetEachCheckWithItsExactMessage() {
        ModelConfig cfg = config("LN", false, "gelu_new");
        ModelWeights w = RandomWeights.dense(cfg, 21, 0.3);
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            IllegalArgumentException hook = assertThrows(IllegalArgumentException.class, () -> model.run(out,
                    out.create(tokens(33)), RunOptions.builder().cache("blocks.0.attn.hook_patern").build()));
            assertEquals("no hook point named blocks.0.attn.hook_patern in this 3-layer model", hook.getMessage());

            CircuitscopeException longer = assertThrows(CircuitscopeException.class,
                    () -> model.run(out, out.create(new int[1][13]), RunOptions.none()));
            assertEquals("sequence of 13 tokens is longer than the model's context n_ctx = 12", longer.getMessage());

            CircuitscopeException negative = assertThrows(CircuitscopeException.class,
                    () -> model.run(out, out.create(new int[][] {{3, -1, 22}}), RunOptions.none()));
            assertEquals("token id -1 is out of range: the model's vocabulary has ids 0..22", negative.getMessage());

            // The id named is the offending one even when 0, the smallest valid id, is in the same array.
            CircuitscopeException atVocab = assertThrows(CircuitscopeException.class,
                    () -> model.run(out, out.create(new int[][] {{0, 23, 5}}), RunOptions.none()));
            assertEquals("token id 23 is out of range: the model's vocabulary has ids 0..22", atVocab.getMessage());

            CircuitscopeException empty = assertThrows(CircuitscopeException.class,
                    () -> model.run(out, out.create(new int[1][0]), RunOptions.none()));
            assertEquals("tokens must be a non-empty [batch, pos] array, got shape (1, 0)", empty.getMessage());
        }
    }

    @Test
    void engineTokenArraysAtTheLimitsRunAndLeaveOnlyTheLogitsWithTheCaller() {
        ModelConfig cfg = config("LN", false, "gelu_new");
        ModelWeights w = RandomWeights.dense(cfg, 22, 0.3);
        // A full context, holding both the smallest and the largest id.
        int[][] toks = new int[2][12];
        SplittableRandom rng = new SplittableRandom(23);
        for (int[] row : toks) {
            for (int p = 0; p < row.length; p++) {
                row[p] = rng.nextInt(23);
            }
        }
        toks[0][3] = 0;
        toks[1][7] = 22;
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            NDArray ids = out.create(toks);
            int before = out.getManagedArrays().size();
            NDArray logits = model.run(out, ids, RunOptions.none()).logits();
            assertEquals(before + 1, out.getManagedArrays().size(), "only the logits join the caller's scope");
            ReferenceTransformer ref = new ReferenceTransformer(w);
            assertClose(ref.logits(toks), logits, "n_ctx tokens from an engine array");
            assertClose(ref.logits(toks), model.logits(out, toks), "n_ctx tokens from a Java array");
        }
    }

    @Test
    void javaTokenArraysGetEachCheckWithItsExactMessage() {
        ModelConfig cfg = config("LN", false, "gelu_new");
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(cfg, 24, 0.3));
             NDManager out = model.manager().newSubManager()) {
            assertEquals("no tokens to run", assertThrows(CircuitscopeException.class,
                    () -> model.logits(out, new int[0][])).getMessage());
            assertEquals("no tokens to run", assertThrows(CircuitscopeException.class,
                    () -> model.logits(out, new int[][] {{}})).getMessage());
            assertEquals("all sequences in a batch must have the same length: sequence 0 has 2 tokens, sequence 1 has 3",
                    assertThrows(CircuitscopeException.class,
                            () -> model.logits(out, new int[][] {{1, 2}, {1, 2, 3}})).getMessage());
            assertEquals("token id 23 at position 1 is out of range: the model's vocabulary has ids 0..22",
                    assertThrows(CircuitscopeException.class,
                            () -> model.logits(out, new int[][] {{0, 23}})).getMessage());
            assertEquals("token id -1 at position 0 is out of range: the model's vocabulary has ids 0..22",
                    assertThrows(CircuitscopeException.class,
                            () -> model.logits(out, new int[][] {{4}, {-1}})).getMessage());
        }
    }

    @Test
    void aPatchOfTheWrongShapeIsRejectedWithBothShapes() {
        ModelConfig cfg = config("LN", false, "gelu_new");
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(cfg, 25, 0.3));
             NDManager out = model.manager().newSubManager()) {
            RunOptions narrow = RunOptions.builder()
                    .patch(HookNames.attnOut(1), a -> a.get(":, :, 0:8")).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.run(out, tokens(34), narrow));
            assertEquals("patch for blocks.1.hook_attn_out returned shape (2, 10, 8), expected (2, 10, 16)",
                    e.getMessage());
        }
    }

    @Test
    void aWrappedModelNamesAMissingParameterAndLeavesItsParametersOpen() {
        ModelConfig cfg = config("LNPre", true, null);
        ModelWeights w = RandomWeights.dense(cfg, 26, 0.3);
        try (NDManager owner = EngineBootstrap.pytorch().newBaseManager()) {
            Map<String, NDArray> params = new java.util.LinkedHashMap<>();
            w.tensors().forEach((name, t) -> params.put(name, TensorBridge.toEngine(owner, t)));
            NDArray bias = params.remove("unembed.b_U");
            HookedTransformer partial = HookedTransformer.wrap(cfg, params);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> partial.logitsOnHeap(tokens(35)));
            assertEquals("model has no parameter unembed.b_U", e.getMessage());

            params.put("unembed.b_U", bias);
            HookedTransformer wrapped = HookedTransformer.wrap(cfg, params);
            assertEquals(cfg, wrapped.config());
            wrapped.close();
            assertTrue(owner.isOpen(), "closing a wrapped model leaves its caller's manager open");
            // Still usable: the parameters belong to the caller, not to the wrapper.
            FloatTensor logits = HookedTransformer.wrap(cfg, params).logitsOnHeap(tokens(35));
            assertEquals(List.of(2, 10, 23), toList(logits.shape()));
        }
    }

    @Test
    void logitsOnHeapMatchReferenceAndCloseFreesTheModel() {
        ModelConfig cfg = config("LN", false, "relu");
        ModelWeights w = RandomWeights.dense(cfg, 27, 0.3);
        HookedTransformer model = HookedTransformer.load(w);
        int before = model.manager().getManagedArrays().size();
        FloatTensor heap = model.logitsOnHeap(tokens(36));
        assertEquals(before, model.manager().getManagedArrays().size(), "nothing left on the engine side");
        DoubleTensor expected = new ReferenceTransformer(w).logits(tokens(36));
        assertEquals(toList(expected.shape), toList(heap.shape()));
        assertTrue(expected.maxAbsDiff(DoubleTensor.of(heap)) <= ATOL, "heap logits match the reference");
        assertEquals(cfg, model.config());
        model.close();
        assertFalse(model.manager().isOpen(), "close() releases the parameters");
    }

    // ---- analysis-engine defects: each test failed before its fix --------------------------------------------------

    @Test
    void aPassOnAFreshThreadGivesTheSameBitsAndLeavesThatThreadsGradModeAsItWas() throws Exception {
        ModelWeights w = RandomWeights.dense(config("LN", false, "gelu_new"), 22, 0.3);
        try (HookedTransformer model = HookedTransformer.load(w)) {
            float[] here = model.logitsOnHeap(tokens(6)).data();
            java.util.concurrent.FutureTask<float[]> there = new java.util.concurrent.FutureTask<>(() -> {
                ai.djl.pytorch.jni.JniUtils.setGradMode(true);
                float[] logits = model.logitsOnHeap(tokens(6)).data();
                assertTrue(ai.djl.pytorch.jni.JniUtils.isGradMode(), "the thread's grad mode is restored");
                return logits;
            });
            new Thread(there).start();
            assertArrayEquals(here, there.get());
        }
    }

    @Test
    void concurrentPassesOnOneModelAllSucceedAndLeaveItIntact() throws Exception {
        ModelWeights w = RandomWeights.dense(config("LN", false, "gelu_new"), 21, 0.3);
        int[][] toks = tokens(5);
        try (HookedTransformer model = HookedTransformer.load(w)) {
            float[] expected = model.logitsOnHeap(toks).data();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Boolean>> runs = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    runs.add(pool.submit(() -> {
                        boolean same = true;
                        for (int i = 0; i < 50; i++) {
                            same &= java.util.Arrays.equals(expected, model.logitsOnHeap(toks).data());
                        }
                        return same;
                    }));
                }
                for (java.util.concurrent.Future<Boolean> run : runs) {
                    assertTrue(run.get(), "every concurrent pass gives the single-thread logits");
                }
            } finally {
                pool.shutdown();
            }
            assertTrue(java.util.Arrays.equals(expected, model.logitsOnHeap(toks).data()), "the model still works");
        }
    }

    @Test
    void aPatchMayRunTheModelAgain() {
        ModelWeights w = RandomWeights.dense(config("LN", false, "gelu_new"), 22, 0.3);
        int[][] clean = tokens(6);
        int[][] corrupt = tokens(7);
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            float[] before = model.logitsOnHeap(clean).data();
            NDArray direct = model.run(out, clean, RunOptions.builder()
                    .patch(HookNames.mlpOut(1), ActivationPatch.replaceWith(model.run(out, corrupt,
                            RunOptions.builder().cache(HookNames.mlpOut(1)).build()).cache().get(HookNames.mlpOut(1))))
                    .build()).logits();
            // The same patch, but its source computed by a nested pass inside the outer one.
            NDArray nested = model.run(out, clean, RunOptions.builder().patch(HookNames.mlpOut(1), a -> model.run(out,
                    corrupt, RunOptions.builder().cache(HookNames.mlpOut(1)).build()).cache().get(HookNames.mlpOut(1)))
                    .build()).logits();
            assertTrue(java.util.Arrays.equals(direct.toFloatArray(), nested.toFloatArray()));
            assertTrue(java.util.Arrays.equals(before, model.logitsOnHeap(clean).data()), "the model is intact");
        }
    }

    @Test
    void replacingHeadsOfAttentionScoresCarriesTheSourceBitForBit() {
        ModelWeights w = RandomWeights.dense(config("LN", false, "gelu_new"), 23, 0.3);
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            String scores = HookNames.attnScores(1);
            NDArray source = model.run(out, tokens(8), RunOptions.builder().cache(scores).build()).cache().get(scores);
            ForwardResult r = model.run(out, tokens(9), RunOptions.builder().cache(scores)
                    .patch(scores, ActivationPatch.replaceHeads(source, 1, 2)).build());
            float[] logits = r.logits().toFloatArray();
            for (float x : logits) {
                assertTrue(Float.isFinite(x), "no logit is NaN");
            }
            NDArray patchedHead = r.cache().get(scores).get(":, 2");
            assertTrue(java.util.Arrays.equals(source.get(":, 2").toFloatArray(), patchedHead.toFloatArray()));
        }
    }

    @Test
    void editingTheCachedOrPatchedPositionalEmbeddingNeverChangesTheModel() {
        ModelWeights w = RandomWeights.dense(config("LN", false, "gelu_new"), 24, 0.3);
        int[][] one = {tokens(10)[0]};
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            float[] before = model.logitsOnHeap(one).data();
            model.run(out, one, RunOptions.builder().cache(HookNames.POS_EMBED).build()).cache()
                    .get(HookNames.POS_EMBED).addi(100f);
            model.run(out, one, RunOptions.builder().patch(HookNames.POS_EMBED, a -> a.muli(0f)).build());
            assertTrue(java.util.Arrays.equals(before, model.logitsOnHeap(one).data()));
        }
    }

    @Test
    void patchesOnOneHookComposeInRegistrationOrder() {
        ModelWeights w = RandomWeights.dense(config("LN", false, "gelu_new"), 25, 0.3);
        int[][] toks = tokens(11);
        String hook = HookNames.residMid(1);
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            NDArray composed = model.run(out, toks, RunOptions.builder().patch(hook, a -> a.add(1f))
                    .patch(hook, a -> a.mul(2f)).build()).logits();
            NDArray byHand = model.run(out, toks, RunOptions.builder().patch(hook, a -> a.add(1f).mul(2f)).build())
                    .logits();
            NDArray reversed = model.run(out, toks, RunOptions.builder().patch(hook, a -> a.mul(2f).add(1f)).build())
                    .logits();
            assertTrue(java.util.Arrays.equals(byHand.toFloatArray(), composed.toFloatArray()));
            assertFalse(java.util.Arrays.equals(reversed.toFloatArray(), composed.toFloatArray()));
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void patchedLayerNormScalesMatchReference(ModelConfig cfg) {
        if (cfg.normalization() == ModelConfig.Normalization.NONE) {
            assertFalse(HookNames.all(cfg).contains(HookNames.LN_FINAL_SCALE), "no LayerNorm, no LayerNorm hooks");
            return;
        }
        ModelWeights w = RandomWeights.dense(cfg, 26, 0.3);
        int[][] toks = tokens(12);
        Set<String> doubled = new java.util.HashSet<>(List.of(HookNames.ln1Scale(0), HookNames.LN_FINAL_SCALE));
        if (cfg.hasMlp()) {
            doubled.add(HookNames.ln2Scale(1));
        }
        DoubleTensor expected = new ReferenceTransformer(w).logits(toks, (name, v) -> {
            if (!doubled.contains(name)) {
                return v;
            }
            DoubleTensor twice = v.copy();
            for (int i = 0; i < twice.data.length; i++) {
                twice.data[i] *= 2;
            }
            return twice;
        });
        RunOptions.Builder b = RunOptions.builder().cache(HookNames.ln1Scale(2));
        doubled.forEach(name -> b.patch(name, a -> a.mul(2f)));
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            ForwardResult r = model.run(out, toks, b.build());
            assertClose(expected, r.logits(), "logits with doubled LayerNorm scales");
            assertEquals(new ai.djl.ndarray.types.Shape(BATCH, POS, 1), r.cache().get(HookNames.ln1Scale(2)).getShape());
        }
    }

    /**
     * Grouped keys and values stay one per key-value head while only query inputs are patched, and become one per
     * query head (TransformerLens's ungrouped attention) once a key input is; either way the logits are the oracle's.
     */
    @Test
    void groupedKeysAreUngroupedOnlyWhenAKeyOrValueInputIsPatched() {
        ModelConfig cfg = llamaLike(2, 3, true);
        ModelWeights w = RandomWeights.dense(cfg, 31, 0.3);
        int[][] clean = tokens(21);
        int[][] corrupt = tokens(22);
        ReferenceTransformer ref = new ReferenceTransformer(w);
        Map<String, DoubleTensor> corruptRef = new HashMap<>();
        ref.logits(corrupt, (name, v) -> {
            corruptRef.put(name, v);
            return v;
        });
        for (String input : List.of(HookNames.qInput(1), HookNames.kInput(1))) {
            Map<String, DoubleTensor> seen = new HashMap<>();
            DoubleTensor expected = ref.logits(clean, (name, v) -> {
                seen.put(name, v);
                return name.equals(input) ? replaceHead(v, corruptRef.get(name), 3, 2) : v;
            });
            try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
                NDArray source = model.run(out, corrupt, RunOptions.builder().cache(input).build()).cache().get(input);
                ForwardResult r = model.run(out, clean, RunOptions.builder()
                        .patch(input, ActivationPatch.replaceHeads(source, 2, 3)).cache(HookNames.k(1)).build());
                assertClose(expected, r.logits(), "logits with " + input + " patched");
                long keyHeads = input.equals(HookNames.qInput(1)) ? cfg.kvHeads() : cfg.nHeads();
                assertEquals(new ai.djl.ndarray.types.Shape(BATCH, POS, keyHeads, cfg.dHead()),
                        r.cache().get(HookNames.k(1)).getShape(), "hook_k with " + input + " patched");
                assertClose(seen.get(HookNames.k(1)), r.cache().get(HookNames.k(1)), "hook_k");
            }
        }
        // With only queries split, ln1 fires once, per query head; patching ln1 ungroups keys and values, so that
        // the patch sees every input per head.
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            ActivationPatch same = a -> a;
            ForwardResult qOnly = model.run(out, clean, RunOptions.builder().patch(HookNames.qInput(1), same)
                    .cache(HookNames.ln1Scale(1), HookNames.k(1)).build());
            assertEquals(new ai.djl.ndarray.types.Shape(BATCH, POS, cfg.nHeads(), 1),
                    qOnly.cache().get(HookNames.ln1Scale(1)).getShape());
            assertEquals(cfg.kvHeads(), qOnly.cache().get(HookNames.k(1)).getShape().get(2));
            java.util.List<ai.djl.ndarray.types.Shape> seenByPatch = new java.util.ArrayList<>();
            ForwardResult withLn1 = model.run(out, clean, RunOptions.builder().patch(HookNames.qInput(1), same)
                    .patch(HookNames.ln1Scale(1), a -> {
                        seenByPatch.add(a.getShape());
                        return a;
                    }).cache(HookNames.k(1)).build());
            assertEquals(List.of(new ai.djl.ndarray.types.Shape(BATCH, POS, cfg.nHeads(), 1),
                    new ai.djl.ndarray.types.Shape(BATCH, POS, cfg.nHeads(), 1),
                    new ai.djl.ndarray.types.Shape(BATCH, POS, cfg.nHeads(), 1)), seenByPatch);
            assertEquals(cfg.nHeads(), withLn1.cache().get(HookNames.k(1)).getShape().get(2));
            assertClose(ref.logits(clean), withLn1.logits(), "logits with ln1 patched to itself");
        }
    }

    /** TransformerLens's W_K / W_V properties: a grouped model's stored rows, once per query head that reads them. */
    @Test
    void perQueryHeadKeyWeightsRepeatTheStoredOnes() {
        ModelConfig cfg = llamaLike(2, 3, false);
        ModelWeights w = RandomWeights.dense(cfg, 41, 0.3);
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            for (String name : List.of("W_K", "b_K", "W_V", "b_V")) {
                NDArray perHead = model.parameter(out, "blocks.1.attn." + name);
                float[] stored = w.get("blocks.1.attn._" + name).data();
                assertEquals(cfg.nHeads(), perHead.getShape().get(0), name);
                int per = stored.length / cfg.kvHeads();
                float[] got = perHead.toFloatArray();
                for (int h = 0; h < cfg.nHeads(); h++) {
                    assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(stored, h / 2 * per,
                            (h / 2 + 1) * per), java.util.Arrays.copyOfRange(got, h * per, (h + 1) * per)),
                            name + " head " + h);
                }
                assertEquals(cfg.kvHeads(), model.parameter(out, "blocks.1.attn._" + name).getShape().get(0));
            }
        }
        ModelConfig full = neoxLike();
        try (HookedTransformer model = HookedTransformer.load(RandomWeights.dense(full, 42, 0.3));
             NDManager out = model.manager().newSubManager()) {
            assertThrows(IllegalArgumentException.class, () -> model.parameter(out, "blocks.0.attn._W_K"));
            assertEquals(full.nHeads(), model.parameter(out, "blocks.0.attn.W_K").getShape().get(0));
        }
    }

    static void assertClose(DoubleTensor expected, NDArray actual, String what) {
        long[] s = actual.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = (int) s[i];
        }
        assertEquals(List.of(toList(expected.shape)), List.of(toList(shape)), what + " shape");
        float[] a = actual.toFloatArray();
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            double e = expected.data[i];
            if (Double.isInfinite(e)) {
                assertEquals(e, a[i], what + " masked entry " + i);
                continue;
            }
            worst = Math.max(worst, Math.abs(e - a[i]));
        }
        assertTrue(worst <= ATOL, what + ": max |diff| " + worst + " > " + ATOL);
    }

    private static List<Integer> toList(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

}
