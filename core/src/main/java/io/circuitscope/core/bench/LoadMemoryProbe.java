package io.circuitscope.core.bench;

import ai.djl.ndarray.NDManager;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.source.ModelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The child process of the load-memory benchmark: loads the model named by its argument, runs one forward pass at
 * batch 1, and prints its peak resident memory, so that the figure covers nothing but loading and running.
 */
public final class LoadMemoryProbe {
    /** The line prefix the parent process reads. */
    static final String PEAK_PREFIX = "peak-rss-kib ";
    private static final int PROBE_POSITIONS = 128;

    private LoadMemoryProbe() {
    }

    public static void main(String[] args) {
        try (HookedTransformer model = HookedTransformer.load(ModelSource.load(args[0]).parameters());
             NDManager out = model.manager().newSubManager()) {
            int positions = Math.min(PROBE_POSITIONS, model.config().nCtx());
            int[][] tokens = new int[1][positions];
            for (int p = 0; p < positions; p++) {
                tokens[0][p] = (p * 7919) % model.config().dVocab();
            }
            model.logits(out, tokens).get(0, 0, 0).getFloat();
        }
        System.out.println(PEAK_PREFIX + peakResidentKib().orElse(-1));
    }

    /** {@link #peakResidentKib()} in MiB, or -1 where the system does not report it. */
    static long peakResidentMiB() {
        OptionalLong kib = peakResidentKib();
        return kib.isPresent() ? kib.getAsLong() >> 10 : -1;
    }

    /** VmHWM from /proc/self/status: the process's peak resident memory, native allocations and JVM alike. */
    static OptionalLong peakResidentKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
