package io.circuitscope.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.ModelShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host loads real jars built in a temporary folder, and skips and reports each kind of unfit jar. */
class PluginHostTest {
    @TempDir
    Path dir;

    private static PluginsDirectory named(Path dir) {
        return new PluginsDirectory(dir, "--plugins-dir");
    }

    private Path good(String id, String detectorId, String file) throws IOException {
        return PluginJarBuilder.plugin(id, "1.2.0")
                .source("com.example." + id.replace("-", "") + ".Detector",
                        PluginSources.workingDetector("com.example." + id.replace("-", "") + ".Detector", detectorId))
                .writeTo(dir, file);
    }

    private static String problems(PluginHost host) {
        return String.join("\n", host.problems().stream().map(LoadProblem::toString).toList());
    }

    @Test
    void aPluginsDetectorAndTaskAreFoundWithTheirOrigin() throws Exception {
        PluginJarBuilder.plugin("sinks", "0.3.1")
                .source("com.example.SinkDetector", PluginSources.workingDetector("com.example.SinkDetector", "sink"))
                .source("com.example.SinkTask", PluginSources.task("com.example.SinkTask", "sink-task"))
                .writeTo(dir, "sinks.jar");
        try (PluginHost host = PluginHost.open(named(dir))) {
            assertEquals("", problems(host));
            assertEquals(List.of("sink"), host.detectors().stream().map(d -> d.id()).toList());
            assertEquals(List.of("sink-task"), host.tasks().stream().map(t -> t.id()).toList());
            assertEquals("plugin sinks 0.3.1", host.installedDetectors().get(0).origin().label());
            assertEquals(Optional.of(ExtensionOrigin.plugin("sinks", "0.3.1")), host.detectorOrigin("sink"));
            assertEquals(Optional.empty(), host.detectorOrigin("induction"));
            LoadedPlugin p = host.plugins().get(0);
            assertEquals(List.of("sinks", "0.3.1", "circuitscope tests", "sinks.jar", 2),
                    List.of(p.id(), p.version(), p.provider(), p.jar().getFileName().toString(), p.extensions()));
            ModelShape shape = new ModelShape(2, 3, 8, 4, 10, 8, 0, true, "LN");
            HeadScores s = host.detectors().get(0).detect(new ShapeOnlyContext(shape));
            assertEquals(1.2, s.score(1, 2), 1e-12);
            assertTrue(s.labelled(0, 0));
            assertEquals("built-in", ExtensionOrigin.BUILT_IN.label());
        }
    }

    @Test
    void pluginsAreOrderedByIdWhateverTheirFileNames() throws Exception {
        good("zeta", "zeta-heads", "a.jar");
        good("alpha", "alpha-heads", "b.jar");
        Files.writeString(dir.resolve("README.txt"), "not a plugin");
        Files.createDirectories(dir.resolve("folder.jar"));
        try (PluginHost host = PluginHost.open(named(dir))) {
            assertEquals("", problems(host));
            assertEquals(List.of("alpha-heads", "zeta-heads"), host.detectors().stream().map(d -> d.id()).toList());
            assertEquals(List.of("alpha", "zeta"), host.plugins().stream().map(LoadedPlugin::id).toList());
        }
    }

    @Test
    void eachUnfitJarIsReportedByFileAndTheGoodOneStillLoads() throws Exception {
        good("fine", "fine-heads", "fine.jar");
        good("no-id", "x-heads", "no-id.jar");
        PluginJarBuilder.plugin("no-id", "1").manifest("Plugin-Id", null).writeTo(dir, "no-id.jar");
        PluginJarBuilder.plugin("no-version", "1").manifest("Plugin-Version", null).writeTo(dir, "no-version.jar");
        PluginJarBuilder.plugin("bare", "1").noManifest().writeTo(dir, "bare.jar");
        PluginJarBuilder.plugin("future", "1.0.0").manifest("Plugin-Requires", ">=9.0.0")
                .source("com.example.f.D", PluginSources.workingDetector("com.example.f.D", "future-heads"))
                .writeTo(dir, "future.jar");
        PluginJarBuilder.plugin("fat", "1.0.0").bundle(HeadScores.class).bundle(org.pf4j.Plugin.class)
                .source("com.example.g.D", PluginSources.workingDetector("com.example.g.D", "fat-heads"))
                .writeTo(dir, "fat.jar");
        PluginJarBuilder.plugin("unannotated", "1.0.0")
                .source("com.example.h.D", PluginSources.workingDetector("com.example.h.D", "plain")
                        .replace("@org.pf4j.Extension\n", ""))
                .writeTo(dir, "unannotated.jar");
        PluginJarBuilder.plugin("needy", "1.0.0").manifest("Plugin-Dependencies", "other-plugin")
                .source("com.example.i.D", PluginSources.workingDetector("com.example.i.D", "needy-heads"))
                .writeTo(dir, "needy.jar");
        PluginJarBuilder.plugin("classy", "1.0.0").manifest("Plugin-Class", "com.example.Missing")
                .source("com.example.j.D", PluginSources.workingDetector("com.example.j.D", "classy-heads"))
                .writeTo(dir, "classy.jar");
        PluginJarBuilder.plugin("empty", "1.0.0").writeTo(dir, "empty.jar");
        Files.writeString(dir.resolve("text.jar"), "this is not a zip archive");
        try (PluginHost host = PluginHost.open(named(dir))) {
            assertEquals(List.of("fine-heads"), host.detectors().stream().map(d -> d.id()).toList());
            String p = problems(host);
            assertEquals(List.of("bare.jar", "classy.jar", "empty.jar", "fat.jar", "future.jar", "needy.jar",
                    "no-id.jar", "no-version.jar", "text.jar", "unannotated (unannotated.jar)"),
                    host.problems().stream().map(LoadProblem::source).toList(), p);
            assertTrue(p.contains("bare.jar: has no META-INF/MANIFEST.MF"), p);
            assertTrue(p.contains("classy.jar: its Plugin-Class com.example.Missing failed to start"), p);
            assertTrue(p.contains("fat.jar: bundles classes the host provides (io.circuitscope.spi.*, org.pf4j.*)"),
                    p);
            assertTrue(p.contains("future.jar: needs spi >=9.0.0 (Plugin-Requires), this circuitscope provides spi "
                    + io.circuitscope.spi.SpiVersion.CURRENT), p);
            assertTrue(p.contains("needy.jar: declares Plugin-Dependencies (other-plugin)"), p);
            assertTrue(p.contains("no-id.jar: its manifest has no Plugin-Id"), p);
            assertTrue(p.contains("no-version.jar: its manifest has no Plugin-Version"), p);
            assertTrue(p.contains("text.jar: is not a readable jar"), p);
            assertTrue(p.contains("empty.jar: has no META-INF/extensions.idx: annotate each detector"), p);
            assertTrue(p.contains("unannotated (unannotated.jar): its META-INF/extensions.idx names no class: "
                    + "annotate each detector or task with @org.pf4j.Extension"), p);
        }
    }

    @Test
    void unusableExtensionsAreSkippedAndTheirSiblingsKept() throws Exception {
        good("first", "shared-id", "1.jar");
        PluginJarBuilder.plugin("second", "2.0.0")
                .source("com.example.s.Same", PluginSources.workingDetector("com.example.s.Same", "shared-id"))
                .source("com.example.s.Upper", PluginSources.workingDetector("com.example.s.Upper", "Not_Kebab"))
                .source("com.example.s.Ok", PluginSources.workingDetector("com.example.s.Ok", "second-heads"))
                .source("com.example.s.Angry", PluginSources.workingDetector("com.example.s.Angry", "angry")
                        .replace("public String id()", "public Angry() { throw new IllegalStateException(\"no\"); }"
                                + "\n    public String id()"))
                .source("com.example.s.Mute", PluginSources.workingDetector("com.example.s.Mute", "mute")
                        .replace("return \"mute, built for a test\";", "throw new RuntimeException(\"silent\");"))
                .source("com.example.s.Other", """
                        package com.example.s;
                        @org.pf4j.Extension
                        public final class Other implements org.pf4j.ExtensionPoint { }
                        """)
                .writeTo(dir, "2.jar");
        try (PluginHost host = PluginHost.open(named(dir))) {
            assertEquals(List.of("shared-id", "second-heads"), host.detectors().stream().map(d -> d.id()).toList());
            assertEquals("plugin first 1.2.0", host.installedDetectors().get(0).origin().label());
            assertEquals(1, host.plugins().get(1).extensions());
            String p = problems(host);
            assertTrue(p.contains("second (2.jar): com.example.s.Angry cannot be created: "
                    + "java.lang.IllegalStateException: no"), p);
            assertTrue(p.contains("second (2.jar): detector com.example.s.Mute cannot describe itself: "
                    + "java.lang.RuntimeException: silent"), p);
            assertTrue(p.contains("second (2.jar): com.example.s.Other is neither a HeadDetector nor a CircuitTask"), p);
            assertTrue(p.contains("second (2.jar): detector id 'shared-id' of com.example.s.Same is already taken by "
                    + "the plugin first 1.2.0 detector; it was skipped"), p);
            assertTrue(p.contains("second (2.jar): detector com.example.s.Upper has the id 'Not_Kebab'; an id is "
                    + "kebab-case"), p);
            assertEquals(5, host.problems().size(), p);
        }
    }

    @Test
    void aMissingNamedFolderIsAProblemAndAMissingDefaultIsNot() {
        try (PluginHost host = PluginHost.open(named(dir.resolve("absent")))) {
            assertEquals(dir.resolve("absent") + ": plugins directory " + dir.resolve("absent")
                    + " (--plugins-dir) does not exist", problems(host));
        }
        try (PluginHost host = PluginHost.open(new PluginsDirectory(dir.resolve("absent"), "default"))) {
            assertEquals("", problems(host));
            assertTrue(host.plugins().isEmpty());
        }
        try (PluginHost host = PluginHost.builtIn()) {
            assertEquals(Optional.empty(), host.directory());
            assertTrue(host.detectors().isEmpty(), "core has no built-in detectors of its own");
        }
    }
}
