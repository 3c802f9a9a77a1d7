package io.circuitscope.core.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.spi.IoiProbe;
import io.circuitscope.spi.ProbeUnavailableException;
import io.circuitscope.spi.RepeatProbe;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModelProbeSetsTest {
    private static LoadedModel model(Integer bos) {
        ModelConfig c = new ModelConfig(1, 8, 2, 4, null, 30, 24, null, "LN", true, "standard", 1e-5, bos, "p");
        return new LoadedModel("probe-test", RandomWeights.dense(c, 1, 0.1), Optional.empty(), Optional.empty());
    }

    @Test
    void repeatsStartWithBosAndCopyASegmentThatFits() {
        List<RepeatProbe> probes = new ModelProbeSets(model(0)).repeatedSegments(new SplittableRandom(1), 200, 20);
        assertEquals(200, probes.size());
        Set<Integer> lengths = new HashSet<>();
        for (RepeatProbe p : probes) {
            int[] t = p.tokens();
            assertEquals(20, t.length);
            assertEquals(0, t[0]);
            assertTrue(Arrays.stream(t, 1, 20).allMatch(x -> x >= 1 && x < 30), Arrays.toString(t));
            assertTrue(p.firstStart() >= 1 && p.secondStart() >= p.firstStart() + p.length()
                    && p.secondStart() + p.length() <= 20, p.toString());
            assertArrayEquals(Arrays.copyOfRange(t, p.firstStart(), p.firstStart() + p.length()),
                    Arrays.copyOfRange(t, p.secondStart(), p.secondStart() + p.length()));
            lengths.add(p.length());
        }
        // Lengths from 3 to half of the 19 positions after BOS.
        assertEquals(Set.of(3, 4, 5, 6, 7, 8, 9), lengths);
    }

    @Test
    void controlsRepeatNothingAndNeverUseBosAfterPositionZero() {
        for (Integer bos : new Integer[] {0, 29, null}) {
            List<RepeatProbe> probes = new ModelProbeSets(model(bos)).nonRepeating(new SplittableRandom(2), 50, 24);
            assertEquals(50, probes.size());
            for (RepeatProbe p : probes) {
                assertTrue(p.isControl());
                int start = bos == null ? 0 : 1;
                int[] body = Arrays.copyOfRange(p.tokens(), start, 24);
                assertEquals(body.length, Arrays.stream(body).distinct().count(), Arrays.toString(p.tokens()));
                if (bos != null) {
                    assertEquals(bos.intValue(), p.tokens()[0]);
                    assertTrue(Arrays.stream(body).noneMatch(x -> x == bos), Arrays.toString(p.tokens()));
                }
                assertTrue(Arrays.stream(body).allMatch(x -> x >= 0 && x < 30));
            }
        }
        // Without BOS every id may be drawn, 0 included.
        int[] all = new ModelProbeSets(model(null)).nonRepeating(new SplittableRandom(3), 200, 24).stream()
                .flatMapToInt(p -> Arrays.stream(p.tokens())).distinct().sorted().toArray();
        assertEquals(30, all.length);
    }

    @Test
    void probesLongerThanTheContextAreRefusedClearly() {
        ProbeUnavailableException e = assertThrows(ProbeUnavailableException.class,
                () -> new ModelProbeSets(model(0)).repeatedSegments(new SplittableRandom(1), 1, 25));
        assertEquals("probes of 25 tokens do not fit the model's context of 24", e.getMessage());
        assertEquals("probes of 6 tokens are too short to hold a repeated segment of 3 tokens twice",
                assertThrows(ProbeUnavailableException.class,
                        () -> new ModelProbeSets(model(0)).nonRepeating(new SplittableRandom(1), 1, 6)).getMessage());
        // BOS plus six tokens is the shortest probe that holds a segment of 3 twice.
        RepeatProbe shortest = new ModelProbeSets(model(0)).repeatedSegments(new SplittableRandom(1), 1, 7).get(0);
        assertEquals(3, shortest.length());
    }

    @Test
    void ioiPromptsLongerThanTheContextAreRefused() {
        LoadedModel ioi = ModelSource.load("zoo:toy-ioi");
        ModelConfig c = new ModelConfig(1, 8, 2, 4, null, ioi.config().dVocab(), 8, null, "LN", true, "standard",
                1e-5, 0, "short");
        LoadedModel tiny = new LoadedModel("short", RandomWeights.dense(c, 1, 0.1), ioi.tokenizer(),
                Optional.empty());
        ProbeUnavailableException e = assertThrows(ProbeUnavailableException.class,
                () -> new ModelProbeSets(tiny).ioiPrompts(new SplittableRandom(1), 2));
        assertTrue(e.getMessage().matches("IOI prompts of \\d+ tokens do not fit the model's context of 8"),
                e.getMessage());
    }

    @Test
    void ioiPromptsNeedATokenizerAndSaySo() {
        ProbeUnavailableException e = assertThrows(ProbeUnavailableException.class,
                () -> new ModelProbeSets(model(0)).ioiPrompts(new SplittableRandom(1), 4));
        assertEquals("probe-test has no tokenizer, so IOI prompts is unavailable; it still runs on token ids",
                e.getMessage());
    }

    @Test
    void ioiPromptsShareOneLengthAlternateOrderAndMarkTheirNames() {
        ModelProbeSets sets = new ModelProbeSets(ModelSource.load("zoo:toy-ioi"));
        List<IoiProbe> prompts = sets.ioiPrompts(new SplittableRandom(4), 400);
        assertEquals(400, prompts.size());
        int length = prompts.get(0).tokens().length;
        for (int i = 0; i < prompts.size(); i++) {
            IoiProbe p = prompts.get(i);
            assertEquals(length, p.tokens().length);
            assertEquals(0, p.tokens()[0]);
            assertNotEquals(p.ioToken(), p.sToken());
            assertEquals(p.ioToken(), p.tokens()[p.ioPos()]);
            assertEquals(p.sToken(), p.tokens()[p.s1Pos()]);
            assertEquals(p.sToken(), p.tokens()[p.s2Pos()]);
            assertEquals(length - 1, p.endPos());
            // Even draws are ABBA (IO named first), odd ones BABA.
            assertEquals(i % 2 == 0, p.ioPos() < p.s1Pos(), "prompt " + i);
        }
        List<IoiProbe> again = sets.ioiPrompts(new SplittableRandom(4), 40);
        for (int i = 0; i < 40; i++) {
            assertArrayEquals(prompts.get(i).tokens(), again.get(i).tokens());
        }
    }
}
