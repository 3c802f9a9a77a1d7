package io.circuitscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code circuitscope detect} end to end: the head table, determinism, settings and clear refusals. */
class DetectCommandTest {
    private static final String ALL = "layer,head,previous-token,duplicate-token,induction,name-mover,"
            + "negative-name-mover,s-inhibition,backup-name-mover,labels";

    @TempDir
    Path tmp;

    @Test
    void writesTheHeadTableByteIdenticallyForTheSameSeed() throws IOException {
        Path a = tmp.resolve("a.csv");
        Path b = tmp.resolve("b.csv");
        CommandRun r = CliTest.run("detect", "--model", "zoo:toy-induction", "--seed", "3", "--out", a.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals(0, CliTest.run("detect", "--model", "zoo:toy-induction", "--seed", "3", "--out", b.toString())
                .code());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        List<String> lines = Files.readAllLines(a);
        assertEquals("layer,head,previous-token,duplicate-token,induction,labels", lines.get(0));
        assertEquals(9, lines.size());
        // The card's mechanism: a previous-token head in layer 0, induction heads in layer 1.
        assertTrue(lines.subList(1, 5).stream().anyMatch(l -> l.endsWith(",previous-token")), lines::toString);
        assertTrue(lines.subList(5, 9).stream().allMatch(l -> l.endsWith(",induction")), lines::toString);
        assertTrue(lines.get(1).matches("0,0,\\d+\\.\\d{6},\\d+\\.\\d{6},\\d+\\.\\d{6},.*"), lines.get(1));
        // IOI detectors cannot run without a tokenizer: each says so, and the run still succeeds.
        assertEquals(4, r.errLines().stream().filter(l -> l.startsWith("warning: ")
                && l.contains("skipped: zoo:toy-induction has no tokenizer")).count(), r::toString);
        assertTrue(r.out().contains("induction              4 labelled"), r::toString);
    }

    @Test
    void chosenDetectorsAndSettings() throws IOException {
        Path out = tmp.resolve("h.csv");
        CommandRun r = CliTest.run("detect", "--model", "zoo:toy-induction", "--detectors", "induction,previous-token",
                "--set", "induction.measure=tl-mul", "--out", out.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals("layer,head,induction,previous-token,labels", Files.readAllLines(out).get(0));
        assertFalse(r.err().contains("warning"), r::toString);
        // TransformerLens's measure gives other numbers than the default targeted one.
        Path targeted = tmp.resolve("t.csv");
        assertEquals(0, CliTest.run("detect", "--model", "zoo:toy-induction", "--detectors", "induction",
                "--out", targeted.toString()).code());
        assertFalse(Files.readAllLines(out).get(5).split(",")[2].equals(Files.readAllLines(targeted).get(5)
                .split(",")[2]));
    }

    @Test
    void settingsForDetectorsNotRunOrSettingsTheyLackAreUsageErrors() {
        CommandRun r = CliTest.run("detect", "--model", "zoo:toy-induction", "--detectors", "induction",
                "--set", "previous-token.measure=tl-mul", "--out", tmp.resolve("h.csv").toString());
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("--set previous-token.measure: 'previous-token' is not one of the"
                + " detectors being run (induction)"), r::toString);
        r = CliTest.run("detect", "--model", "zoo:toy-induction", "--set", "induction.measur=tl-mul",
                "--out", tmp.resolve("h.csv").toString());
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("--set induction.measur: induction has the settings measure"), r::toString);
        r = CliTest.run("detect", "--model", "zoo:toy-induction", "--set", "name-mover.x=1",
                "--out", tmp.resolve("h.csv").toString());
        assertTrue(r.err().contains("name-mover has no settings"), r::toString);
        assertFalse(Files.exists(tmp.resolve("h.csv")));
    }

    @Test
    void unknownDetectorIsAUsageError() {
        CommandRun r = CliTest.run("detect", "--model", "zoo:toy-induction", "--detectors", "induction,nope",
                "--out", tmp.resolve("h.csv").toString());
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("unknown detector 'nope'; known detectors: previous-token, duplicate-token,"
                + " induction, name-mover"), r::toString);
        assertFalse(Files.exists(tmp.resolve("h.csv")));
    }

    @Test
    void aDetectorThatFailsIsReportedAndNothingIsWrittenWhenNoneSucceeds() {
        Path out = tmp.resolve("h.csv");
        CommandRun r = CliTest.run("detect", "--model", "zoo:toy-induction", "--detectors", "induction",
                "--set", "induction.measure=bogus", "--out", out.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("warning: induction failed: IllegalArgumentException: unknown measure"
                + " 'bogus'; expected targeted, tl-mul or tl-abs"), r::toString);
        assertTrue(r.err().contains("error: no detector produced scores for zoo:toy-induction; nothing written"),
                r::toString);
        assertFalse(Files.exists(out));
    }

    @Test
    void anHfGpt2CheckpointRunsEveryDetectorWithBpeNamesAndBos50256() throws IOException {
        Path dir = TinyGpt2Checkpoint.write(tmp.resolve("gpt2"), 64);
        Path out = tmp.resolve("h.csv");
        CommandRun r = CliTest.run("detect", "--model", dir.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r::toString);
        assertFalse(r.err().contains("warning"), r::toString);
        List<String> lines = Files.readAllLines(out);
        assertEquals(ALL, lines.get(0));
        assertEquals(5, lines.size());
        // Random weights do not perform IOI, so no IOI label is given.
        assertTrue(lines.stream().noneMatch(l -> l.contains("name-mover") && !l.startsWith("layer")), lines::toString);
    }
}
