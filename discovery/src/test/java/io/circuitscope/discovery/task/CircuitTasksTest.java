package io.circuitscope.discovery.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.analysis.HostTaskContext;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeSets;
import io.circuitscope.spi.ProbeUnavailableException;
import io.circuitscope.spi.TaskContext;
import io.circuitscope.spi.TaskExample;
import io.circuitscope.spi.TokenVocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CircuitTasksTest {
    /** The built-in tasks, found through the extension index as the CLI finds them. */
    private static final List<CircuitTask> BUILT_IN = PluginHost.builtIn().tasks();

    static final LoadedModel INDUCTION = ModelSource.load("zoo:toy-induction");
    static final LoadedModel IOI = ModelSource.load("zoo:toy-ioi");

    static List<TaskExample> examples(CircuitTask task, LoadedModel model, int count, Map<String, String> options) {
        return task.examples(new HostTaskContext(model, 7, task.id(), count, options));
    }

    @Test
    void inductionRepeatsASegmentOfDistinctTokensAndCorruptsWithAFreshSequence() {
        List<TaskExample> ex = examples(new InductionCircuitTask(), INDUCTION, 5, Map.of("segment", "6"));
        assertEquals(5, ex.size());
        for (TaskExample e : ex) {
            int[] c = e.clean();
            assertEquals(13, c.length);
            assertEquals(0, c[0]);
            Set<Integer> first = new HashSet<>();
            for (int j = 1; j <= 6; j++) {
                assertEquals(c[j], c[j + 6]);
                assertTrue(first.add(c[j]) && c[j] != 0);
            }
            Set<Integer> corrupted = new HashSet<>();
            for (int j = 1; j < 13; j++) {
                assertTrue(corrupted.add(e.corrupted()[j]), "a corrupted token repeats");
            }
            assertEquals(0, e.corrupted()[0]);
            assertEquals(5, e.positions().length);
            for (int j = 0; j < 5; j++) {
                assertEquals(7 + j, e.positions()[j]);
                assertEquals(c[8 + j], e.answers()[j]);
                assertEquals(c[e.positions()[j] - 6 + 1], e.answers()[j]);
                assertEquals(e.corrupted()[8 + j], e.distractors()[j]);
            }
        }
        assertEquals(ex, examples(new InductionCircuitTask(), INDUCTION, 5, Map.of("segment", "6")));
        assertEquals(25, examples(new InductionCircuitTask(), INDUCTION, 1, Map.of()).get(0).clean().length);
        assertThrows(ProbeUnavailableException.class,
                () -> examples(new InductionCircuitTask(), INDUCTION, 1, Map.of("segment", "40")));
        assertThrows(IllegalArgumentException.class,
                () -> examples(new InductionCircuitTask(), INDUCTION, 1, Map.of("segment", "six")));
    }

    /** A context for a model of the given shape, with no tokenizer. */
    static TaskContext shaped(int vocab, int ctx, int bos, int count) {
        return new TaskContext() {
            @Override
            public ModelShape shape() {
                return new ModelShape(1, 1, 4, 4, vocab, ctx, bos, true, "LN");
            }

            @Override
            public Optional<TokenVocabulary> vocabulary() {
                return Optional.empty();
            }

            @Override
            public SplittableRandom random() {
                return new SplittableRandom(3);
            }

            @Override
            public ProbeSets probes() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int exampleCount() {
                return count;
            }

            @Override
            public Optional<String> option(String name) {
                return Optional.empty();
            }
        };
    }

    @Test
    void theInductionSegmentFitsTheContextAndVocabulary() {
        InductionCircuitTask task = new InductionCircuitTask();
        assertEquals(1 + 2 * 12, task.examples(shaped(512, 64, 0, 1)).get(0).clean().length);
        // BOS plus two copies fill a context of 11 exactly; without BOS a context of 10 holds segments of 5.
        assertEquals(11, task.examples(shaped(512, 11, 0, 1)).get(0).clean().length);
        TaskExample noBos = task.examples(shaped(512, 10, -1, 2)).get(1);
        assertEquals(10, noBos.clean().length);
        assertEquals(5, noBos.positions()[0]);
        assertEquals(noBos.clean()[1], noBos.answers()[0]);
        assertEquals(noBos.clean()[0], noBos.clean()[5]);
        assertThrows(ProbeUnavailableException.class, () -> task.examples(shaped(512, 4, 0, 1)));
        String m = assertThrows(ProbeUnavailableException.class, () -> task.examples(shaped(4, 64, 0, 1)))
                .getMessage();
        assertTrue(m.contains("too few tokens"), m);
        // Five usable tokens: a segment of 5 fits, its corrupted twin of 10 reuses tokens, and BOS never appears.
        TaskExample small = task.examples(shaped(6, 11, 0, 1)).get(0);
        for (int i = 1; i < 11; i++) {
            assertTrue(small.clean()[i] != 0 && small.corrupted()[i] != 0);
        }
        assertEquals(5, new HashSet<>(java.util.Arrays.stream(small.corrupted()).boxed().toList()).size() - 1);
        assertTrue(task.description().contains("repeated"));
        assertTrue(task.options().containsKey("segment"));
    }

    @Test
    void ioiReadsTheEndPositionAgainstTheAbcCorruption() {
        List<TaskExample> ex = examples(new IoiCircuitTask(), IOI, 6, Map.of());
        assertEquals(6, ex.size());
        for (TaskExample e : ex) {
            assertEquals(1, e.positions().length);
            assertEquals(e.clean().length - 1, e.positions()[0]);
            assertNotEquals(e.answers()[0], e.distractors()[0]);
            int differ = 0;
            for (int i = 0; i < e.clean().length; i++) {
                differ += e.clean()[i] != e.corrupted()[i] ? 1 : 0;
            }
            assertTrue(differ >= 2 && differ <= 3, "the ABC corruption replaces IO, S1 and S2");
        }
        assertThrows(ProbeUnavailableException.class, () -> examples(new IoiCircuitTask(), INDUCTION, 2, Map.of()));
        assertEquals("logit-diff", new IoiCircuitTask().defaultMetric());
        assertTrue(new IoiCircuitTask().description().contains("ABC"));
    }

    @Test
    void aCsvTaskReadsRowsOfDifferentLengthsAndNamesEveryBadRow(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.csv");
        Files.writeString(ok, "clean,corrupted,answer,distractor\n"
                + "When Mary and John went to the store,When Anna and Lisa went to the store, Mary, John\n"
                + "\"When Mary and John went to the park, John handed a ball to\","
                + "\"When Anna and Lisa went to the park, Paul handed a ball to\", Mary, John\n");
        CsvCircuitTask task = new CsvCircuitTask(ok);
        assertEquals("ok.csv", task.id());
        List<TaskExample> ex = examples(task, IOI, 99, Map.of());
        assertEquals(2, ex.size());
        assertNotEquals(ex.get(0).clean().length, ex.get(1).clean().length);
        assertEquals(0, ex.get(0).clean()[0], "BOS first");
        assertEquals(ex.get(1).clean().length - 1, ex.get(1).positions()[0]);
        var vocab = IOI.tokenizer().orElseThrow();
        assertEquals(vocab.singleToken(" Mary").getAsInt(), ex.get(0).answers()[0]);
        assertEquals(vocab.singleToken(" John").getAsInt(), ex.get(0).distractors()[0]);
        assertEquals(vocab.encode("When")[0], ex.get(0).clean()[1]);
        assertEquals("logit-diff", task.defaultMetric());
        assertTrue(task.description().contains("ok.csv"));

        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "clean,corrupted,answer,distractor\nWhen Mary,When John, Mary\n");
        String r = assertThrows(IllegalArgumentException.class,
                () -> examples(new CsvCircuitTask(ragged), IOI, 1, Map.of())).getMessage();
        assertTrue(r.contains("row 1") && r.contains("3 cells"), r);
        Path longRow = dir.resolve("long.csv");
        String words = "Mary ".repeat(40).trim();
        Files.writeString(longRow, "clean,corrupted,answer,distractor\n" + words + "," + words + ", Mary, John\n");
        r = assertThrows(IllegalArgumentException.class,
                () -> examples(new CsvCircuitTask(longRow), IOI, 1, Map.of())).getMessage();
        assertTrue(r.contains("exceed the model's context of 32"), r);

        Path multi = dir.resolve("multi.csv");
        Files.writeString(multi, "clean,corrupted,answer,distractor\nWhen Mary,When John, Mary and, John\n");
        String m = assertThrows(IllegalArgumentException.class,
                () -> examples(new CsvCircuitTask(multi), IOI, 1, Map.of())).getMessage();
        assertTrue(m.contains("row 1") && m.contains("not a single token"), m);

        Path header = dir.resolve("header.csv");
        Files.writeString(header, "prompt,corrupted,answer,distractor\nWhen Mary,When John, Mary, John\n");
        m = assertThrows(IllegalArgumentException.class,
                () -> examples(new CsvCircuitTask(header), IOI, 1, Map.of())).getMessage();
        assertTrue(m.contains("[clean]"), m);

        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, "clean,corrupted,answer,distractor\n");
        assertThrows(IllegalArgumentException.class, () -> examples(new CsvCircuitTask(empty), IOI, 1, Map.of()));
        assertThrows(ProbeUnavailableException.class,
                () -> examples(new CsvCircuitTask(ok), INDUCTION, 1, Map.of()));
    }

    @Test
    void tasksAreFoundByIdOrCsvPath(@TempDir Path dir) throws Exception {
        assertEquals("ioi", TaskNames.resolve("ioi", BUILT_IN).id());
        assertEquals("kl", TaskNames.resolve("induction", BUILT_IN).defaultMetric());
        Path csv = Files.writeString(dir.resolve("mine.csv"), "clean,corrupted,answer,distractor\n");
        assertTrue(TaskNames.resolve(csv.toString(), BUILT_IN) instanceof CsvCircuitTask);
        String m = assertThrows(IllegalArgumentException.class,
                () -> TaskNames.resolve(dir.resolve("missing.csv").toString(), BUILT_IN)).getMessage();
        assertTrue(m.contains("does not exist"), m);
        m = assertThrows(IllegalArgumentException.class, () -> TaskNames.resolve("sorting", BUILT_IN))
                .getMessage();
        assertTrue(m.contains("induction, ioi"), m);
    }
}
