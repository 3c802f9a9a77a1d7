package io.circuitscope.core.bench;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.io.TreeDeleter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Measures the peak resident memory of loading a checkpoint and running one forward pass at batch 1, in a fresh JVM
 * with default settings, against the checkpoint's float32 size: what a user's process would need.
 */
public final class LoadMemoryBenchmark {
    /** The allowance over the weights' float32 size: the JVM, libtorch and one pass's activations. */
    public static final long ALLOWANCE_MIB = 1536;

    private final SyntheticGpt2Checkpoint shape;

    public LoadMemoryBenchmark(SyntheticGpt2Checkpoint shape) {
        this.shape = shape;
    }

    /** The figures of one measurement. */
    public record Result(long float32MiB, long peakRssMiB, double writeSeconds, double loadAndRunSeconds) {
        public long budgetMiB() {
            return float32MiB + ALLOWANCE_MIB;
        }

        public boolean withinBudget() {
            return peakRssMiB >= 0 && peakRssMiB <= budgetMiB();
        }
    }

    /** Writes the checkpoint in a temporary directory, measures a child JVM loading it, and deletes the directory. */
    public Result run() {
        Path dir;
        try {
            dir = Files.createTempDirectory("circuitscope-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the benchmark checkpoint", e);
        }
        try {
            long t0 = System.nanoTime();
            shape.write(dir, 42);
            long t1 = System.nanoTime();
            long peakKib = childPeakKib(dir);
            long t2 = System.nanoTime();
            return new Result(shape.float32Bytes() >> 20, peakKib < 0 ? -1 : peakKib >> 10, (t1 - t0) / 1e9,
                    (t2 - t1) / 1e9);
        } finally {
            TreeDeleter.deleteQuietly(dir);
        }
    }

    private static long childPeakKib(Path dir) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), LoadMemoryProbe.class.getName(), dir.toString()))
                .redirectErrorStream(true);
        pb.environment().put("OPT_OUT_TRACKING", "true");
        try {
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.waitFor();
            for (String line : output.split("\n")) {
                if (exit == 0 && line.startsWith(LoadMemoryProbe.PEAK_PREFIX)) {
                    return Long.parseLong(line.substring(LoadMemoryProbe.PEAK_PREFIX.length()).trim());
                }
            }
            throw new CircuitscopeException("the load-memory probe failed (exit " + exit + "): " + output.strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the load-memory probe " + java, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CircuitscopeException("interrupted while waiting for the load-memory probe");
        }
    }
}
