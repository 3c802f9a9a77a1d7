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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin jars compiled here by javac against the spi jar and PF4J alone, as a third party outside this repository
 * would, then dropped into a plugins folder: a working one shows up in {@code plugins}, {@code heads.csv} and the
 * wiki with no rebuild, and each broken one is reported while the run completes.
 */
class PluginsCommandTest {
    private static final String BUILT_IN = "previous-token,duplicate-token,induction";

    @TempDir
    Path tmp;

    private Path plugins() throws IOException {
        return Files.createDirectories(tmp.resolve("plugins"));
    }

    private Path thirdPartyPlugin(Path dir) throws IOException {
        return PluginJarBuilder.plugin("layer-depth", "2.1.0")
                .source("org.example.depth.LayerDepthDetector",
                        PluginSources.workingDetector("org.example.depth.LayerDepthDetector", "layer-depth"))
                .writeTo(dir, "layer-depth-2.1.0.jar");
    }

    /** The four ways a plugin can break, each in a jar of its own. */
    private void brokenPlugins(Path dir) throws IOException {
        PluginJarBuilder.plugin("throws", "1.0.0")
                .source("org.example.t.Throws", PluginSources.detector("org.example.t.Throws", "throws",
                        "throw new IllegalStateException(\"no luck\");"))
                .writeTo(dir, "throws.jar");
        PluginJarBuilder.plugin("bad-manifest", "1.0.0").manifest("Plugin-Id", null)
                .source("org.example.m.M", PluginSources.workingDetector("org.example.m.M", "bad-manifest"))
                .writeTo(dir, "bad-manifest.jar");
        PluginJarBuilder.plugin("wrong-shape", "1.0.0")
                .source("org.example.w.W", PluginSources.detector("org.example.w.W", "wrong-shape", """
                        ModelShape s = context.shape();
                        ModelShape bigger = new ModelShape(s.nLayers() + 1, s.nHeads(), s.dModel(), s.dHead(),
                                s.dVocab(), s.nCtx(), s.bosTokenId(), s.attentionOnly(), s.normalization());
                        return HeadScores.builder(bigger).build();"""))
                .writeTo(dir, "wrong-shape.jar");
        PluginJarBuilder.plugin("never-returns", "1.0.0")
                .source("org.example.n.N", PluginSources.neverReturningDetector("org.example.n.N", "never-returns"))
                .writeTo(dir, "never-returns.jar");
    }

    @Test
    void aThirdPartyDetectorAppearsInPluginsHeadsCsvAndTheWiki() throws IOException {
        Path dir = plugins();
        thirdPartyPlugin(dir);
        CommandRun list = CliTest.run("plugins", "--plugins-dir", dir.toString());
        assertEquals(0, list.code(), list::toString);
        assertTrue(list.out().contains("plugins directory: " + dir + " (--plugins-dir)"), list::toString);
        assertTrue(list.out().matches("(?s).*\\n  layer-depth +plugin layer-depth 2\\.1\\.0 +layer-depth, built for "
                + "a test\\n.*"), list::toString);
        assertTrue(list.out().matches("(?s).*\\n  layer-depth +2\\.1\\.0 +circuitscope tests +layer-depth-2\\.1\\.0"
                + "\\.jar\\n.*"), list::toString);

        Path csv = tmp.resolve("heads.csv");
        CommandRun detect = CliTest.run("detect", "--model", "zoo:toy-induction", "--plugins-dir", dir.toString(),
                "--detectors", "induction,layer-depth", "--out", csv.toString());
        assertEquals(0, detect.code(), detect::toString);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("layer,head,induction,layer-depth,labels", lines.get(0));
        assertTrue(lines.get(8).matches("1,3,0\\.99\\d+,1\\.300000,induction"), lines::toString);
        assertTrue(lines.get(1).matches("0,0,0\\.0\\d+,0\\.000000,layer-depth"), lines::toString);

        Path wiki = tmp.resolve("wiki");
        CommandRun w = CliTest.run("wiki", "--model", "zoo:toy-induction", "--plugins-dir", dir.toString(),
                "--examples", "4", "--out", wiki.toString());
        assertEquals(0, w.code(), w::toString);
        assertTrue(Files.readString(wiki.resolve("toy-induction/heads.csv")).startsWith(
                "layer,head," + BUILT_IN + ",layer-depth,labels"));
        String page = Files.readString(wiki.resolve("toy-induction/index.html"));
        assertTrue(page.contains("layer-depth, built for a test"), "the heatmap's caption");
        assertTrue(page.contains("<dt>origin</dt><dd>plugin layer-depth 2.1.0</dd>"), "the origin in the provenance");
        String chip = "layer-depth</span> <small class=\"origin\">plugin layer-depth 2.1.0</small>";
        assertTrue(page.contains(chip), "the origin beside the label count");
        String index = Files.readString(wiki.resolve("index.html"));
        assertTrue(index.contains(chip), "and on the index");
        assertFalse(index.contains("Plugins skipped"), "no failures, no section");
        assertFalse(page.contains("induction</span> <small"), "a built-in names no origin");
        assertTrue(Files.readString(wiki.resolve("toy-induction/heads/L0H0.html")).contains("layer-depth"));
    }

    @Test
    void eachBrokenPluginIsReportedAndTheRunCompletes() throws IOException {
        Path dir = plugins();
        thirdPartyPlugin(dir);
        brokenPlugins(dir);
        CommandRun list = CliTest.run("plugins", "--plugins-dir", dir.toString());
        assertEquals(0, list.code(), list::toString);
        assertTrue(list.out().contains("load failures:\n  bad-manifest.jar: its manifest has no Plugin-Id\n"),
                list::toString);

        Path csv = tmp.resolve("heads.csv");
        long start = System.nanoTime();
        CommandRun r = CliTest.run("detect", "--model", "zoo:toy-induction", "--plugins-dir", dir.toString(),
                "--detector-timeout", "2", "--out", csv.toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(0, r.code(), r::toString);
        List<String> err = r.errLines();
        assertTrue(err.contains("warning: plugin skipped: bad-manifest.jar: its manifest has no Plugin-Id"),
                r::toString);
        assertTrue(err.contains("warning: throws failed: IllegalStateException: no luck"), r::toString);
        assertTrue(err.contains("warning: wrong-shape scores for 3 layers, the model has 2"), r::toString);
        assertTrue(err.contains("warning: never-returns failed: no result within its time limit of 2 s; abandoned"),
                r::toString);
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r);
        assertEquals("layer,head," + BUILT_IN + ",layer-depth,labels", Files.readAllLines(csv).get(0));
        assertTrue(seconds < 60, "the hung detector held the run for " + seconds + " s");

        Path wiki = tmp.resolve("wiki");
        CommandRun w = CliTest.run("wiki", "--model", "zoo:toy-induction", "--plugins-dir", dir.toString(),
                "--detector-timeout", "2", "--examples", "4", "--out", wiki.toString());
        assertEquals(0, w.code(), w::toString);
        String page = Files.readString(wiki.resolve("toy-induction/index.html"));
        assertTrue(page.contains("throws: failed: IllegalStateException: no luck"), "note on the page");
        assertTrue(page.contains("never-returns: failed: no result within its time limit of 2 s; abandoned"));
        assertTrue(page.contains("wrong-shape: scores for 3 layers, the model has 2"));
        String index = Files.readString(wiki.resolve("index.html"));
        assertTrue(index.contains("<h2>Plugins skipped</h2>") && index.contains(
                "<div class=\"warn\">bad-manifest.jar: its manifest has no Plugin-Id</div>"), "load failures listed");
        assertTrue(Files.readString(wiki.resolve("toy-induction/heads.csv")).startsWith(
                "layer,head," + BUILT_IN + ",layer-depth,labels"));
    }

    @Test
    void aNamedFolderThatIsMissingIsAUsageErrorAndABadTimeoutToo() throws IOException {
        CommandRun r = CliTest.run("detect", "--model", "zoo:toy-induction", "--plugins-dir",
                tmp.resolve("absent").toString(), "--out", tmp.resolve("h.csv").toString());
        assertEquals(2, r.code(), r::toString);
        assertEquals(List.of("error: plugins directory " + tmp.resolve("absent") + " (--plugins-dir) does not exist "
                + "(see 'circuitscope detect --help')"), r.errLines());
        CommandRun t = CliTest.run("detect", "--model", "zoo:toy-induction", "--plugins-dir", plugins().toString(),
                "--detector-timeout", "0", "--out", tmp.resolve("h.csv").toString());
        assertEquals(2, t.code(), t::toString);
        assertTrue(t.err().contains("--detector-timeout must be a positive number of seconds, got 0.0"), t::toString);
        CommandRun d = CliTest.run("discover", "--model", "zoo:toy-induction", "--task", "induction",
                "--plugins-dir", tmp.resolve("absent").toString(), "--out", tmp.resolve("c.json").toString());
        assertEquals(2, d.code(), d::toString);
    }

    @Test
    void aPluginTaskCanBeNamedByDiscoverAndItsFailureNamesItsOrigin() throws IOException {
        Path dir = plugins();
        PluginJarBuilder.plugin("tasks", "0.2.0")
                .source("org.example.k.SortTask", PluginSources.task("org.example.k.SortTask", "sorting"))
                .writeTo(dir, "tasks.jar");
        CommandRun list = CliTest.run("plugins", "--plugins-dir", dir.toString());
        assertTrue(list.out().matches("(?s).*tasks:\\n(  .*\\n)*  sorting +plugin tasks 0\\.2\\.0 +sorting, built.*"),
                list::toString);
        CommandRun r = CliTest.run("discover", "--model", "zoo:toy-induction", "--task", "sorting", "--plugins-dir",
                dir.toString(), "--out", tmp.resolve("c.json").toString());
        assertEquals(1, r.code(), r::toString);
        assertEquals(List.of("error: sorting on zoo:toy-induction: a test task has no examples"), r.errLines());
        assertFalse(Files.exists(tmp.resolve("c.json")));

        PluginJarBuilder.plugin("buggy", "0.1.0")
                .source("org.example.b.Buggy", PluginSources.task("org.example.b.Buggy", "buggy")
                        .replace("throw new ProbeUnavailableException(\"a test task has no examples\");",
                                "throw new IllegalStateException(\"index 7 out of range\");"))
                .writeTo(dir, "buggy.jar");
        CommandRun b = CliTest.run("discover", "--model", "zoo:toy-induction", "--task", "buggy", "--plugins-dir",
                dir.toString(), "--out", tmp.resolve("c.json").toString());
        assertEquals(1, b.code(), b::toString);
        assertEquals(List.of("error: buggy (plugin buggy 0.1.0) failed on zoo:toy-induction: IllegalStateException: "
                + "index 7 out of range"), b.errLines());
    }
}
