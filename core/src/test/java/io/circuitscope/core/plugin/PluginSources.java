package io.circuitscope.core.plugin;

/** Java sources of small plugin detectors and tasks, for {@link PluginJarBuilder}. */
public final class PluginSources {
    private PluginSources() {
    }

    /**
     * A detector annotated {@code @Extension} whose {@code detect} runs {@code body}, Java statements that see the
     * context as {@code context} and must return a {@code HeadScores}.
     */
    public static String detector(String className, String id, String body) {
        int dot = className.lastIndexOf('.');
        return "package " + className.substring(0, dot) + ";\n"
                + "import io.circuitscope.spi.*;\n"
                + "@org.pf4j.Extension\n"
                + "public final class " + className.substring(dot + 1) + " implements HeadDetector {\n"
                + "    public String id() { return \"" + id + "\"; }\n"
                + "    public String description() { return \"" + id + ", built for a test\"; }\n"
                + "    public HeadScores detect(DetectionContext context) {\n" + body + "\n    }\n"
                + "}\n";
    }

    /** A detector that scores each head {@code layer + head / 10} and labels layer 0 head 0. */
    public static String workingDetector(String className, String id) {
        return detector(className, id, """
                HeadScores.Builder b = HeadScores.builder(context.shape());
                for (int l = 0; l < context.shape().nLayers(); l++) {
                    for (int h = 0; h < context.shape().nHeads(); h++) {
                        b.score(l, h, l + h / 10.0, 0.0);
                    }
                }
                return b.label(0, 0).setting("source", "plugin").build();""");
    }

    /** A detector that never returns: it sleeps forever and ignores interrupts, as a hung detector would. */
    public static String neverReturningDetector(String className, String id) {
        return detector(className, id, """
                while (true) {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException ignored) {
                        // Ignored on purpose: the host must cope with a detector that does not stop.
                    }
                }""");
    }

    /** A task annotated {@code @Extension} that reports every model unable to serve it. */
    public static String task(String className, String id) {
        int dot = className.lastIndexOf('.');
        return "package " + className.substring(0, dot) + ";\n"
                + "import io.circuitscope.spi.*;\n"
                + "import java.util.List;\n"
                + "@org.pf4j.Extension\n"
                + "public final class " + className.substring(dot + 1) + " implements CircuitTask {\n"
                + "    public String id() { return \"" + id + "\"; }\n"
                + "    public String description() { return \"" + id + ", built for a test\"; }\n"
                + "    public String defaultMetric() { return \"kl\"; }\n"
                + "    public List<TaskExample> examples(TaskContext context) {\n"
                + "        throw new ProbeUnavailableException(\"a test task has no examples\");\n"
                + "    }\n"
                + "}\n";
    }
}
