package io.circuitscope.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.HookPoints;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runner isolates each detector, and the context it hands them runs the engine faithfully. */
class DetectorRunnerTest {
    private static final ModelConfig CONFIG = new ModelConfig(2, 16, 2, 8, null, 30, 16, null, "LN", true, "standard",
            1e-5, 0, "runner");
    private static LoadedModel model;
    private static HookedTransformer engine;

    @BeforeAll
    static void load() {
        model = new LoadedModel("runner-test", RandomWeights.dense(CONFIG, 2, 0.5), Optional.empty(),
                Optional.empty());
        engine = HookedTransformer.load(model.parameters());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static HeadDetector detector(String id, Function<DetectionContext, HeadScores> body) {
        return new HeadDetector() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String description() {
                return id + " for tests";
            }

            @Override
            public HeadScores detect(DetectionContext context) {
                return body.apply(context);
            }
        };
    }

    @Test
    void aDetectorPastItsTimeLimitIsAbandonedAndCanNoLongerRunTheModel() throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        AtomicReference<String> afterwards = new AtomicReference<>("not tried");
        HeadDetector stubborn = detector("stubborn", c -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                // A stubborn detector ignores the interrupt and reaches for the model again.
            }
            try {
                c.run(new int[][] {{1, 2}}, Set.of());
                afterwards.set("ran");
            } catch (IllegalStateException e) {
                afterwards.set(e.getMessage());
            }
            finished.countDown();
            return HeadScores.builder(c.shape()).build();
        });
        HeadDetector fine = detector("fine", c -> HeadScores.builder(c.shape()).score(0, 0, 1, 0).build());
        long start = System.nanoTime();
        List<DetectorOutcome> out = DetectorRunner.run(model, engine, List.of(stubborn, fine), 1, Map.of(),
                Duration.ofMillis(300), id -> { });
        assertEquals("failed: no result within its time limit of 0.3 s; abandoned",
                out.get(0).problem().orElseThrow());
        assertTrue(out.get(0).scores().isEmpty());
        assertTrue(out.get(0).seconds() >= 0.3, "it was given its whole time limit");
        assertEquals(1.0, out.get(1).scores().orElseThrow().score(0, 0));
        assertTrue(finished.await(10, TimeUnit.SECONDS));
        assertEquals("this detector's context was revoked: it ran past its time limit", afterwards.get());
        assertTrue((System.nanoTime() - start) / 1e9 < 60);
    }

    /**
     * The runner returns only once a call already inside the engine has finished, so the caller may close the engine
     * at once: the abandoned detector meets a revoked context, never a closed engine.
     */
    @Test
    void anEngineInUseAtTheDeadlineCanBeClosedAsSoonAsTheRunnerReturns() throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        AtomicReference<Throwable> ended = new AtomicReference<>();
        int[][] batch = new int[64][16];
        for (int[] row : batch) {
            java.util.Arrays.setAll(row, i -> i % 30);
        }
        HeadDetector busy = detector("busy", c -> {
            try {
                while (true) {
                    c.run(batch, Set.of(HookPoints.pattern(0), HookPoints.pattern(1)));
                }
            } catch (Throwable t) {
                ended.set(t);
            } finally {
                finished.countDown();
            }
            return null;
        });
        HookedTransformer own = HookedTransformer.load(model.parameters());
        List<DetectorOutcome> out = DetectorRunner.run(model, own, List.of(busy), 1, Map.of(), Duration.ofMillis(400),
                id -> { });
        own.close();
        assertTrue(finished.await(10, TimeUnit.SECONDS));
        assertEquals("failed: no result within its time limit of 0.4 s; abandoned", out.get(0).problem().orElseThrow());
        assertEquals(IllegalStateException.class, ended.get().getClass(), String.valueOf(ended.get()));
        assertEquals("this detector's context was revoked: it ran past its time limit", ended.get().getMessage());
    }

    @Test
    void theContextADetectorSeesIsTheEnginesOnAWorkerThreadThatCannotHoldTheProcess() {
        List<String> seen = new ArrayList<>();
        HeadDetector observer = detector("observer", c -> {
            Thread t = Thread.currentThread();
            seen.add(t.getName() + " daemon=" + t.isDaemon());
            seen.add("seed " + c.seed() + ", tokenizer " + c.vocabulary().isPresent());
            seen.add("W_E " + java.util.Arrays.toString(c.weights().parameter("embed.W_E").shape()));
            seen.add("OV " + java.util.Arrays.toString(c.weights().ov(1, 0).left().shape()) + " QK "
                    + java.util.Arrays.toString(c.weights().qk(1, 0).right().shape()));
            seen.add("probes " + c.probes().nonRepeating(c.random(), 2, 8).size() + ", option "
                    + c.option("x").orElse("none") + ", layers " + c.shape().nLayers());
            seen.add("pattern " + java.util.Arrays.toString(c.run(new int[][] {{1, 2, 3}},
                    Set.of(HookPoints.pattern(1))).pattern(1).shape()));
            return HeadScores.builder(c.shape()).build();
        });
        DetectorOutcome o = DetectorRunner.run(model, engine, List.of(observer), 7, Map.of(), id -> { }).get(0);
        assertEquals(Optional.empty(), o.problem());
        assertEquals(List.of("detector observer daemon=true", "seed 7, tokenizer false", "W_E [30, 16]",
                "OV [16, 8] QK [8, 16]", "probes 2, option none, layers 2", "pattern [1, 2, 3, 3]"), seen);
    }

    @Test
    void aDetectorWithinItsLimitKeepsItsResultAndErrorsAreReported() {
        HeadDetector slowButFine = detector("slow", c -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return HeadScores.builder(c.shape()).score(1, 1, 2, 0).build();
        });
        HeadDetector overflows = detector("deep", c -> {
            throw new StackOverflowError("too deep");
        });
        List<DetectorOutcome> out = DetectorRunner.run(model, engine, List.of(slowButFine, overflows), 1, Map.of(),
                Duration.ofSeconds(30), id -> { });
        assertEquals(2.0, out.get(0).scores().orElseThrow().score(1, 1));
        assertEquals(Optional.empty(), out.get(0).problem());
        assertEquals("failed: StackOverflowError: too deep", out.get(1).problem().orElseThrow());
        assertEquals(Duration.ofMinutes(10), DetectorRunner.DEFAULT_TIME_LIMIT);
    }

    @Test
    void brokenDetectorsAreReportedAndTheOthersStillRun() {
        ModelShape wrong = new ModelShape(3, 2, 16, 8, 30, 16, 0, true, "LN");
        List<HeadDetector> ds = List.of(
                detector("throws", c -> {
                    throw new IllegalStateException("boom");
                }),
                detector("nan", c -> HeadScores.builder(c.shape()).score(1, 1, Double.NaN, 0).build()),
                detector("wrong-shape", c -> HeadScores.builder(wrong).build()),
                detector("null", c -> null),
                detector("needs-text", c -> c.probes().ioiPrompts(c.random(), 4).isEmpty() ? null : null),
                detector("fine", c -> HeadScores.builder(c.shape()).score(0, 1, 0.5, 0.1).label(0, 1).build()));
        List<String> progress = new ArrayList<>();
        List<DetectorOutcome> out = DetectorRunner.run(model, engine, ds, 1, Map.of(), progress::add);
        assertEquals(List.of("throws", "nan", "wrong-shape", "null", "needs-text", "fine"), progress);
        assertEquals("failed: IllegalStateException: boom", out.get(0).problem().orElseThrow());
        assertEquals("the score of L1H1 is NaN", out.get(1).problem().orElseThrow());
        assertEquals("scores for 3 layers, the model has 2", out.get(2).problem().orElseThrow());
        assertEquals("returned no scores", out.get(3).problem().orElseThrow());
        assertEquals("skipped: runner-test has no tokenizer, so IOI prompts is unavailable; it still runs on token"
                + " ids", out.get(4).problem().orElseThrow());
        assertTrue(out.subList(0, 5).stream().allMatch(o -> o.scores().isEmpty()));
        assertEquals(0.5, out.get(5).scores().orElseThrow().score(0, 1));
        assertTrue(out.stream().allMatch(o -> o.seconds() >= 0 && o.seconds() < 60), out::toString);
        assertTrue(out.get(5).problem().isEmpty());
    }

    @Test
    void eachDetectorSeesOnlyItsOwnSettingsAndASeedOfItsOwn() {
        List<String> seen = new ArrayList<>();
        List<Long> draws = new ArrayList<>();
        Function<DetectionContext, HeadScores> body = c -> {
            seen.add(c.option("measure").orElse("-") + "/" + c.option("x").orElse("-"));
            draws.add(c.random().nextLong());
            return HeadScores.builder(c.shape()).build();
        };
        List<HeadDetector> ds = List.of(detector("a", body), detector("b", body), detector("a", body));
        DetectorRunner.run(model, engine, ds, 7, Map.of("a.measure", "tl-mul", "b.x", "1", "ab.measure", "no"),
                id -> { });
        assertEquals(List.of("tl-mul/-", "-/1", "tl-mul/-"), seen);
        assertEquals(draws.get(0), draws.get(2));
        assertTrue(!draws.get(0).equals(draws.get(1)));
    }

    @Test
    void runsReturnTheEnginesPatternsAndApplyHeadPatches() {
        EngineDetectionContext c = new EngineDetectionContext(model, engine, new ModelProbeSets(model), 1, "t",
                Map.of());
        int[][] tokens = {{0, 5, 6, 7, 5, 6}, {0, 9, 8, 7, 9, 8}};
        ModelRun clean = c.run(tokens, Set.of(HookPoints.pattern(1), HookPoints.result(0), "logits"));
        assertEquals(List.of(2, 2, 6, 6), List.of(boxed(clean.pattern(1).shape())));
        assertEquals(List.of(2, 6, 30), List.of(boxed(clean.logits().shape())));
        float[] engineLogits = engine.logitsOnHeap(tokens).data();
        for (int i = 0; i < engineLogits.length; i++) {
            assertEquals(engineLogits[i], clean.logits().data()[i], 1e-5);
        }
        Tensor zeros = Tensor.zeros(clean.activation(HookPoints.result(0)).shape());
        ModelRun patched = c.run(tokens, Set.of(HookPoints.result(0)),
                List.of(io.circuitscope.spi.HookPatch.replaceHead(HookPoints.result(0), 1, zeros)));
        Tensor r = patched.activation(HookPoints.result(0));
        Tensor before = clean.activation(HookPoints.result(0));
        assertEquals(0f, r.get(1, 3, 1, 5));
        assertEquals(before.get(1, 3, 0, 5), r.get(1, 3, 0, 5), 1e-5);
        // A pattern patch replaces one head's slice along the head axis of [batch, head, query, key].
        Tensor flat = Tensor.zeros(2, 2, 6, 6);
        ModelRun patternPatched = c.run(tokens, Set.of(HookPoints.pattern(1)),
                List.of(io.circuitscope.spi.HookPatch.replaceHead(HookPoints.pattern(1), 0, flat)));
        assertEquals(0f, patternPatched.pattern(1).get(1, 0, 5, 0));
        // A whole-hook patch replaces every head.
        ModelRun whole = c.run(tokens, Set.of(HookPoints.result(0)),
                List.of(io.circuitscope.spi.HookPatch.replace(HookPoints.result(0), zeros)));
        for (float x : whole.activation(HookPoints.result(0)).data()) {
            assertEquals(0f, x);
        }
        assertEquals(clean.pattern(1).get(1, 1, 5, 0), patternPatched.pattern(1).get(1, 1, 5, 0), 1e-6);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> patched.logits());
        assertTrue(e.getMessage().startsWith("logits was not requested"), e.getMessage());
    }

    @Test
    void theContextDescribesTheModelAndItsWeights() {
        EngineDetectionContext c = new EngineDetectionContext(model, engine, new ModelProbeSets(model), 11, "t",
                Map.of());
        assertEquals(new ModelShape(2, 2, 16, 8, 30, 16, 0, true, "LN"), c.shape());
        assertEquals(11, c.seed());
        assertTrue(c.vocabulary().isEmpty());
        LoadedModel ioi = io.circuitscope.core.source.ModelSource.load("zoo:toy-ioi");
        var vocab = new EngineDetectionContext(ioi, engine, new ModelProbeSets(ioi), 1, "t", Map.of()).vocabulary()
                .orElseThrow();
        int mary = vocab.singleToken(" Mary").orElseThrow();
        assertEquals(List.of(mary), java.util.Arrays.stream(vocab.encode("Mary")).boxed().toList());
        assertEquals("Mary", vocab.token(mary).strip());
        var w = model.weights();
        for (int layer = 0; layer < 2; layer++) {
            for (int head = 0; head < 2; head++) {
                var ov = c.weights().ov(layer, head);
                var qk = c.weights().qk(layer, head);
                for (int i = 0; i < 16; i++) {
                    for (int j = 0; j < 8; j++) {
                        String b = "blocks." + layer + ".attn.";
                        assertEquals(w.get(b + "W_V").data()[(head * 16 + i) * 8 + j], ov.left().get(i, j));
                        assertEquals(w.get(b + "W_O").data()[(head * 8 + j) * 16 + i], ov.right().get(j, i));
                        assertEquals(w.get(b + "W_Q").data()[(head * 16 + i) * 8 + j], qk.left().get(i, j));
                        // The QK circuit's right factor is W_K transposed.
                        assertEquals(w.get(b + "W_K").data()[(head * 16 + i) * 8 + j], qk.right().get(j, i));
                    }
                }
            }
        }
        assertEquals("head 2 does not exist (the model has 2 heads per layer)", org.junit.jupiter.api.Assertions
                .assertThrows(IllegalArgumentException.class, () -> c.weights().ov(0, 2)).getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> c.weights().parameter("nope"));
    }

    private static Integer[] boxed(int[] a) {
        return java.util.Arrays.stream(a).boxed().toArray(Integer[]::new);
    }
}
