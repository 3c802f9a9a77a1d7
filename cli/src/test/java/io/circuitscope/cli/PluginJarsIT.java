package io.circuitscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.plugin.PluginJarBuilder;
import io.circuitscope.core.plugin.PluginSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example plugins as a user installs them: the jars the plugin modules built are copied into a plugins folder,
 * and the shaded {@code circuitscope.jar} in its own JVM loads them with no rebuild. The plugin classes are on no
 * test classpath (see the cli pom), so only PF4J's class loaders can find them.
 */
@Tag("slow")
class PluginJarsIT {
    @TempDir
    Path workDir;

    @TempDir
    Path logs;

    @TempDir
    Path pluginsDir;

    private PackagedJar jar;

    @BeforeEach
    void installExamplePlugins() throws IOException {
        jar = new PackagedJar(workDir, logs);
        Path built = Path.of(System.getProperty("circuitscope.example-plugins"));
        try (Stream<Path> jars = Files.list(built)) {
            for (Path p : jars.toList()) {
                Files.copy(p, pluginsDir.resolve(p.getFileName()));
            }
        }
        try (Stream<Path> jars = Files.list(pluginsDir)) {
            assertEquals(2, jars.count(), "expected the two example plugin jars in " + built);
        }
    }

    @Test
    void pluginsListsBothExampleDetectorsWithTheirOrigin() throws Exception {
        CommandRun r = jar.run("plugins", "--plugins-dir", pluginsDir.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().matches("(?s).*\\n  attention-sink +plugin attention-sink 0\\.1\\.0-SNAPSHOT +Share of.*"),
                r.toString());
        assertTrue(r.out().matches("(?s).*\\n  successor-heads +plugin successor-heads 0\\.1\\.0-SNAPSHOT +OV output.*"),
                r.toString());
        assertTrue(r.out().matches("(?s).*\\n  induction +built-in +Attention from.*"), r.toString());
        assertTrue(r.out().contains("load failures: none"), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @Test
    void detectWritesThePluginColumnsFromTheFlagOrTheEnvironment() throws Exception {
        Path model = TinyGpt2Checkpoint.write(workDir.resolve("gpt2"), 32);
        CommandRun r = jar.run("detect", "--model", model.toString(), "--plugins-dir", pluginsDir.toString(),
                "--out", "flag.csv");
        assertEquals(0, r.code(), r.toString());
        assertFalse(r.err().contains("warning"), r.toString());
        assertTrue(r.out().contains("(plugin successor-heads 0.1.0-SNAPSHOT)"), r.toString());
        List<String> lines = Files.readAllLines(workDir.resolve("flag.csv"));
        assertEquals("layer,head,previous-token,duplicate-token,induction,name-mover,negative-name-mover,"
                + "s-inhibition,backup-name-mover,attention-sink,successor-heads,labels", lines.get(0));
        assertEquals(5, lines.size());

        CommandRun env = jar.run(Map.of("CIRCUITSCOPE_PLUGINS", pluginsDir.toString()), "detect", "--model",
                model.toString(), "--detectors", "attention-sink,successor-heads", "--out", "env.csv");
        assertEquals(0, env.code(), env.toString());
        assertEquals("layer,head,attention-sink,successor-heads,labels",
                Files.readAllLines(workDir.resolve("env.csv")).get(0));
    }

    /** Java cannot stop the abandoned thread, so only its being a daemon lets the process end on its own. */
    @Test
    void aDetectorThatNeverReturnsDoesNotKeepTheProcessAlive() throws Exception {
        PluginJarBuilder.plugin("never-returns", "1.0.0")
                .source("org.example.n.N", PluginSources.neverReturningDetector("org.example.n.N", "never-returns"))
                .writeTo(pluginsDir, "never-returns.jar");
        long start = System.nanoTime();
        CommandRun r = jar.run("detect", "--model", "zoo:toy-induction", "--plugins-dir", pluginsDir.toString(),
                "--detectors", "induction,never-returns,attention-sink", "--detector-timeout", "3", "--out", "h.csv");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("warning: never-returns failed: no result within its time limit of 3 s; "
                + "abandoned"), r.toString());
        assertEquals("layer,head,induction,attention-sink,labels",
                Files.readAllLines(workDir.resolve("h.csv")).get(0));
        assertTrue(seconds < 60, "the run took " + seconds + " s");
    }

    @Test
    void theWikiShowsThePluginDetectorsAndSaysWhyOneCannotRun() throws Exception {
        Path model = TinyGpt2Checkpoint.write(workDir.resolve("gpt2"), 32);
        CommandRun r = jar.run("wiki", "--model", "zoo:toy-induction", "--model", model.toString(), "--plugins-dir",
                pluginsDir.toString(), "--examples", "4", "--out", "wiki");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("warning: toy-induction: successor-heads skipped: this model has no tokenizer"),
                r.toString());
        Path gptPage = Files.list(workDir.resolve("wiki")).filter(p -> p.getFileName().toString().startsWith("gpt2"))
                .findFirst().orElseThrow();
        String heads = Files.readString(gptPage.resolve("heads.csv"));
        assertTrue(heads.startsWith("layer,head,previous-token,duplicate-token,induction,name-mover,"
                + "negative-name-mover,s-inhibition,backup-name-mover,attention-sink,successor-heads,labels"), heads);
        String page = Files.readString(gptPage.resolve("index.html"));
        assertTrue(page.contains("successor-heads") && page.contains("plugin successor-heads 0.1.0-SNAPSHOT"), page);
        String toy = Files.readString(workDir.resolve("wiki/toy-induction/index.html"));
        assertTrue(toy.contains("plugin attention-sink 0.1.0-SNAPSHOT"), "origin in the provenance");
        assertTrue(toy.contains("successor-heads: skipped: this model has no tokenizer"), "the note on the page");
        assertTrue(Files.readString(workDir.resolve("wiki/toy-induction/heads.csv")).startsWith(
                "layer,head,previous-token,duplicate-token,induction,attention-sink,labels"));
    }
}
