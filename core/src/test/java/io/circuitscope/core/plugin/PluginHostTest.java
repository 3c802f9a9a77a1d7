package io.circuitscope.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
            assertEquals(Optional.of(ExtensionOrigin.plugin("sinks", "0.3.1")), host.taskOrigin("sink-task"));
            assertEquals(Optional.empty(), host.taskOrigin("sink"));
            assertEquals("plugin sinks 0.3.1", host.installedTasks().get(0).origin().label());
            assertEquals(Optional.of(named(dir)), host.directory());
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
        Files.writeString(dir.resolve("disabled.txt"), "alpha\n");
        Files.createDirectories(dir.resolve("folder.jar"));
        try (PluginHost host = PluginHost.open(named(dir))) {
            assertEquals("", problems(host));
            assertEquals(List.of("alpha-heads", "zeta-heads"), host.detectors().stream().map(d -> d.id()).toList());
            assertEquals(List.of("alpha", "zeta"), host.plugins().stream().map(LoadedPlugin::id).toList());
            assertEquals("alpha\n", Files.readString(dir.resolve("disabled.txt")), "PF4J's status file is ignored");
            assertFalse(Files.exists(dir.resolve("enabled.txt")), "and nothing is written to the folder");
        }
    }

    @Test
    void extensionsOfOnePluginFollowTheirOrdinalThenTheirClassName() throws Exception {
        PluginJarBuilder.plugin("ordered", "1.0.0")
                .source("com.example.o.A", PluginSources.workingDetector("com.example.o.A", "a-heads")
                        .replace("@org.pf4j.Extension", "@org.pf4j.Extension(ordinal = 2)"))
                .source("com.example.o.B", PluginSources.workingDetector("com.example.o.B", "b-heads")
                        .replace("@org.pf4j.Extension", "@org.pf4j.Extension(ordinal = 2)"))
                .source("com.example.o.Z", PluginSources.workingDetector("com.example.o.Z", "z-heads")
                        .replace("@org.pf4j.Extension", "@org.pf4j.Extension(ordinal = 1)"))
                .writeTo(dir, "ordered.jar");
        try (PluginHost host = PluginHost.open(named(dir))) {
            assertEquals(List.of("z-heads", "a-heads", "b-heads"), host.detectors().stream().map(d -> d.id()).toList());
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
        PluginJarBuilder.plugin("fruity", "1.0.0").manifest("Plugin-Requires", "banana")
                .source("com.example.k.D", PluginSources.workingDetector("com.example.k.D", "fruity-heads"))
                .writeTo(dir, "fruity.jar");
        Files.writeString(dir.resolve("text.jar"), "this is not a zip archive");
        try (PluginHost host = PluginHost.open(named(dir))) {
            assertEquals(List.of("fine-heads"), host.detectors().stream().map(d -> d.id()).toList());
            String p = problems(host);
            assertEquals(List.of("bare.jar", "classy.jar", "empty.jar", "fat.jar", "fruity.jar", "future.jar", "needy.jar",
                    "no-id.jar", "no-version.jar", "text.jar", "unannotated (unannotated.jar)"),
                    host.problems().stream().map(LoadProblem::source).toList(), p);
            assertTrue(p.contains("bare.jar: has no META-INF/MANIFEST.MF"), p);
            assertTrue(p.contains("classy.jar: Plugin-Class com.example.Missing could not be created: it is not in the "
                    + "jar"), p);
            assertTrue(p.contains("fat.jar: bundles classes the host provides (io.circuitscope.spi.*, org.pf4j.*)"),
                    p);
            assertTrue(p.contains("future.jar: needs spi >=9.0.0 (Plugin-Requires), this circuitscope provides spi "
                    + io.circuitscope.spi.SpiVersion.CURRENT), p);
            assertTrue(p.contains("needy.jar: declares Plugin-Dependencies (other-plugin)"), p);
            assertTrue(p.contains("fruity.jar: its Plugin-Requires 'banana' is not a version expression"), p);
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
                .source("com.example.s.Labels", PluginSources.workingDetector("com.example.s.Labels", "labels"))
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
            assertTrue(p.contains("second (2.jar): detector id 'labels' of com.example.s.Labels is a fixed column of "
                    + "heads.csv (layer, head, labels); it was skipped"), p);
            assertEquals(6, host.problems().size(), p);
        }
    }

    @Test
    void faultyTasksAndOddExtensionsAreReported() throws Exception {
        String task = PluginSources.task("com.example.q.Mse", "mse-task");
        PluginJarBuilder.plugin("odd", "1.0.0")
                .source("com.example.q.Mse", task.replace("return \"kl\";", "return \"mse\";"))
                .source("com.example.q.Moody", PluginSources.task("com.example.q.Moody", "moody")
                        .replace("return \"kl\";", "throw new IllegalStateException(\"undecided\");"))
                .source("com.example.q.Nameless", PluginSources.workingDetector("com.example.q.Nameless", "x")
                        .replace("return \"x\";", "return null;"))
                .source("com.example.q.Strict", PluginSources.workingDetector("com.example.q.Strict", "strict")
                        .replace("public String id()", "public Strict() { throw new AssertionError(\"never\"); }"
                                + "\n    public String id()"))
                .source("com.example.q.Fine", PluginSources.task("com.example.q.Fine", "fine-task"))
                .source("com.example.q.Spaced", PluginSources.task("com.example.q.Spaced", "Spaced Task")
                        .replace("return \"kl\";", "throw new IllegalStateException(\"must not be asked\");"))
                .source("com.example.q.Mute", PluginSources.workingDetector("com.example.q.Mute", "mute")
                        .replace("return \"mute, built for a test\";", "return null;"))
                .writeTo(dir, "odd.jar");
        PluginJarBuilder.plugin("ghost", "1.0.0").entry("META-INF/extensions.idx", "com.example.Missing\n")
                .writeTo(dir, "ghost.jar");
        PluginJarBuilder.plugin("odd", "2.0.0")
                .source("com.example.r.D", PluginSources.workingDetector("com.example.r.D", "second-odd"))
                .writeTo(dir, "same-id.jar");
        PluginJarBuilder.plugin("static", "1.0.0")
                .source("com.example.s.Static", PluginSources.workingDetector("com.example.s.Static", "static-heads")
                        .replace("public String id()", "static { if (true) throw new AssertionError(\"at load\"); }"
                                + "\n    public String id()"))
                .writeTo(dir, "static.jar");
        PluginJarBuilder.plugin("blank", "1.0.0").manifest("Plugin-Id", "  ").writeTo(dir, "blank.jar");
        PluginJarBuilder.plugin("unversioned", " ").writeTo(dir, "unversioned.jar");
        try (PluginHost host = PluginHost.open(named(dir))) {
            assertEquals(List.of("fine-task"), host.tasks().stream().map(t -> t.id()).toList());
            String p = problems(host);
            assertTrue(p.contains("odd (odd.jar): task mse-task: default metric 'mse' is not kl or logit-diff"), p);
            assertTrue(p.contains("odd (odd.jar): task moody: defaultMetric() threw java.lang.IllegalStateException: "
                    + "undecided"), p);
            assertTrue(p.contains("odd (odd.jar): detector com.example.q.Nameless has the id 'null'"), p);
            assertTrue(p.contains("odd (odd.jar): com.example.q.Strict cannot be created: java.lang.AssertionError: "
                    + "never"), p);
            assertTrue(p.contains("ghost (ghost.jar): extension com.example.Missing cannot be loaded: "
                    + "java.lang.ClassNotFoundException: com.example.Missing"), p);
            assertTrue(p.contains("same-id.jar: cannot be loaded: There is an already loaded plugin"), p);
            assertTrue(p.contains("blank.jar: its manifest has no Plugin-Id"), p);
            assertTrue(p.contains("unversioned.jar: its manifest has no Plugin-Version"), p);
            assertTrue(p.contains("odd (odd.jar): task com.example.q.Spaced has the id 'Spaced Task'"), p);
            assertTrue(p.contains("odd (odd.jar): detector com.example.q.Mute has no description"), p);
            assertTrue(p.contains("static (static.jar): extension com.example.s.Static cannot be loaded: "
                    + "java.lang.AssertionError: at load"), p);
            assertEquals(11, host.problems().size(), p);
        }
    }

    @Test
    void aPluginClassIsStartedAndTheModeCannotBeSwitchedByAProperty() throws Exception {
        PluginJarBuilder.plugin("lifecycle", "1.0.0").manifest("Plugin-Class", "com.example.l.Lifecycle")
                .source("com.example.l.Lifecycle", """
                        package com.example.l;
                        public final class Lifecycle extends org.pf4j.Plugin {
                            public static volatile boolean started;
                            @Override
                            public void start() {
                                started = true;
                            }
                        }
                        """)
                .source("com.example.l.D", PluginSources.workingDetector("com.example.l.D", "lifecycle-heads"))
                .source("com.example.l.Unused", "package com.example.l;\npublic final class Unused { }\n")
                .writeTo(dir, "lifecycle.jar");
        PluginJarBuilder.plugin("plain", "1.0.0").manifest("Plugin-Class", "org.pf4j.Plugin")
                .source("com.example.m.D", PluginSources.workingDetector("com.example.m.D", "plain-heads"))
                .writeTo(dir, "plain.jar");
        String before = System.getProperty("pf4j.mode");
        System.setProperty("pf4j.mode", "development");
        ClassLoader loader;
        try (PluginHost host = PluginHost.open(named(dir))) {
            assertEquals("", problems(host));
            assertEquals(List.of("lifecycle-heads", "plain-heads"), host.detectors().stream().map(d -> d.id()).toList());
            loader = ((CheckedDetector) host.detectors().get(0)).delegate().getClass().getClassLoader();
            Class<?> lifecycle = loader.loadClass("com.example.l.Lifecycle");
            assertEquals(true, lifecycle.getField("started").get(null));
        } finally {
            if (before == null) {
                System.clearProperty("pf4j.mode");
            } else {
                System.setProperty("pf4j.mode", before);
            }
        }
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.example.l.Unused"),
                "closing the host closes each plugin's class loader");
    }

    @Test
    void aPluginWhoseStopFailsIsStillUnloadedAndCloseDoesNotThrow() throws Exception {
        PluginJarBuilder.plugin("grumpy", "1.0.0").manifest("Plugin-Class", "com.example.g.Grumpy")
                .source("com.example.g.Grumpy", """
                        package com.example.g;
                        public final class Grumpy extends org.pf4j.Plugin {
                            @Override
                            public void stop() {
                                throw new AssertionError("stop failed");
                            }
                        }
                        """)
                .source("com.example.g.D", PluginSources.workingDetector("com.example.g.D", "grumpy-heads"))
                .source("com.example.g.Later", "package com.example.g;\npublic final class Later { }\n")
                .writeTo(dir, "grumpy.jar");
        PluginHost host = PluginHost.open(named(dir));
        assertEquals("", problems(host));
        ClassLoader loader = ((CheckedDetector) host.detectors().get(0)).delegate().getClass().getClassLoader();
        host.close();
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.example.g.Later"));
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
