package io.circuitscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code circuitscope wiki} end to end: the site for both zoo models, determinism, and refusals before any work. */
class WikiCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheWikiForBothZooModelsAndSummarisesIt() throws Exception {
        Path out = tmp.resolve("wiki");
        CommandRun r = CliTest.run("wiki", "--model", "zoo:toy-induction", "--model", "zoo:toy-ioi", "--out",
                out.toString());
        assertEquals(0, r.code(), r::toString);
        for (String f : List.of("index.html", "toy-induction/index.html", "toy-induction/heads/L1H0.html",
                "toy-ioi/index.html", "toy-ioi/heads.csv", "toy-ioi/circuit-ioi.json", "toy-ioi/circuit-ioi.dot",
                "toy-induction/circuit-induction.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertTrue(r.out().contains("toy-induction    labelled: previous-token 1, duplicate-token 0, induction 4"),
                r.out());
        assertTrue(r.out().contains("circuit ioi: "), r.out());
        // toy-induction has no tokenizer, so the IOI detectors are reported and skipped; the run still succeeds.
        assertTrue(r.err().contains("warning: toy-induction: name-mover skipped"), r.err());
        String index = Files.readString(out.resolve("index.html"));
        assertTrue(index.contains("href=\"toy-ioi/index.html\""));

        Path again = tmp.resolve("again");
        assertEquals(0, CliTest.run("wiki", "--model", "zoo:toy-ioi", "--out", again.toString()).code());
        for (String f : List.of("heads.csv", "top-pairs.csv", "circuit-ioi.json")) {
            assertArrayEquals(Files.readAllBytes(out.resolve("toy-ioi").resolve(f)),
                    Files.readAllBytes(again.resolve("toy-ioi").resolve(f)), f);
        }
    }

    @Test
    void refusesAFolderThatIsNotAWikiBeforeDoingAnyWork() throws Exception {
        Path mine = Files.createDirectory(tmp.resolve("notes"));
        Files.writeString(mine.resolve("todo.txt"), "keep");
        CommandRun r = CliTest.run("wiki", "--model", "zoo:toy-induction", "--out", mine.toString());
        assertEquals(2, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().contains("not a circuitscope wiki"), r.err());
        assertEquals("keep", Files.readString(mine.resolve("todo.txt")));
    }

    @Test
    void aBadModelFailsCleanlyAndLeavesTheEarlierWiki() throws Exception {
        Path out = tmp.resolve("wiki");
        assertEquals(0, CliTest.run("wiki", "--model", "zoo:toy-induction", "--detectors", "previous-token",
                "--out", out.toString()).code());
        byte[] before = Files.readAllBytes(out.resolve("index.html"));
        CommandRun r = CliTest.run("wiki", "--model", "zoo:toy-induction", "--model", tmp.resolve("nope").toString(),
                "--out", out.toString());
        assertEquals(1, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        assertTrue(r.err().startsWith("error: "), r.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("index.html")));
    }

    @Test
    void usageErrorsAreReportedWithExitTwo() throws Exception {
        Path out = tmp.resolve("w");
        assertEquals(2, CliTest.run("wiki", "--out", out.toString()).code(), "--model is required");
        assertEquals(2, CliTest.run("wiki", "--model", "zoo:toy-ioi", "--out", out.toString(), "--method",
                "magic").code());
        assertEquals(2, CliTest.run("wiki", "--model", "zoo:toy-ioi", "--out", out.toString(), "--examples",
                "0").code());
        assertEquals(2, CliTest.run("wiki", "--model", "zoo:toy-ioi", "--out", out.toString(), "--detectors",
                "telepathy").code());
        assertFalse(Files.exists(out));
    }
}
