package io.circuitscope.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the shaded {@code circuitscope.jar} as outside tools do: {@code java -jar} in a separate JVM and a given
 * working directory. Failsafe passes the jar's path as the system property {@code circuitscope.jar}.
 */
final class PackagedJar {
    private static final long TIMEOUT_SECONDS = 300;

    private final Path jar;
    private final Path workDir;
    private final Path logs;

    /**
     * @param workDir the working directory of every run
     * @param logs where stdout and stderr go, outside the working directory so that it stays clean
     */
    PackagedJar(Path workDir, Path logs) {
        String path = System.getProperty("circuitscope.jar");
        assertNotNull(path, "system property circuitscope.jar is not set; run this through maven-failsafe");
        this.jar = Path.of(path).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "no packaged jar at " + jar);
        this.workDir = workDir;
        this.logs = logs;
    }

    CommandRun run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    /** Runs with extra environment variables. */
    CommandRun run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        // The same JVM as the test's, so the jar is checked against the Java the build uses.
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx2g");
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(logs, "stdout", ".txt");
        Path err = Files.createTempFile(logs, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        // Failsafe's environment sets it; without it here, these runs prove the jar forces DJL offline by itself.
        pb.environment().remove("OPT_OUT_TRACKING");
        pb.environment().remove("CIRCUITSCOPE_PLUGINS");
        pb.environment().putAll(environment);
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("java -jar circuitscope.jar " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS
                    + " s\n--- stdout ---\n" + Files.readString(out) + "--- stderr ---\n" + Files.readString(err));
        }
        return new CommandRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
