package io.circuitscope.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.checkpoint.HfGpt2Checkpoint;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ParameterSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadMemoryBenchmarkTest {
    private static final SyntheticGpt2Checkpoint SMALL = new SyntheticGpt2Checkpoint(2, 32, 4, 97, 16);

    @TempDir
    Path tmp;

    @Test
    void theSyntheticCheckpointIsATiedHubGpt2DirectoryOfTheDeclaredSize() throws Exception {
        SMALL.write(tmp, 1);
        ParameterSource source = HfGpt2Checkpoint.parameters(tmp);
        ModelConfig c = source.config();
        assertEquals(2, c.nLayers());
        assertEquals(32, c.dModel());
        assertEquals(4, c.nHeads());
        assertEquals(97, c.dVocab());
        assertEquals(16, c.nCtx());
        long weights = SMALL.float32Bytes() / Float.BYTES;
        // The tied unembedding is counted a second time, as TransformerLens's state dict holds it separately, and b_U.
        assertEquals(weights + 97L * 32 + 97, source.verifiedParameterCount());
        long header = Files.size(tmp.resolve("model.safetensors")) - SMALL.float32Bytes();
        assertTrue(header > 8 && header < 16_384, "header bytes " + header);
        assertEquals(GPT2_MEDIUM_WEIGHTS, SyntheticGpt2Checkpoint.gpt2Medium().float32Bytes() / Float.BYTES);
    }

    @Test
    void normWeightsAreOneAndEveryOtherWeightIsSpreadOverPlusMinusTwoHundredths() throws Exception {
        SMALL.write(tmp, 2);
        io.circuitscope.core.model.ModelWeights w = io.circuitscope.core.model.ModelWeights.collect(
                HfGpt2Checkpoint.parameters(tmp));
        for (float v : w.get("blocks.1.ln2.w").data()) {
            assertEquals(1f, v);
        }
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (String name : java.util.List.of("embed.W_E", "blocks.0.ln1.b", "blocks.1.mlp.W_out")) {
            for (float v : w.get(name).data()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        assertTrue(min >= -0.02f && min < -0.019f, "min " + min);
        assertTrue(max <= 0.02f && max > 0.019f, "max " + max);
    }

    /** GPT-2 medium's parameter count with the embedding counted once, as the Hub's model.safetensors holds it. */
    private static final long GPT2_MEDIUM_WEIGHTS = 354_823_168L;

    @Test
    void aChildJvmLoadsTheCheckpointAndReportsItsPeakAndTheDirectoryIsRemoved() throws Exception {
        try (Stream<Path> before = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            long benchDirs = before.filter(p -> p.getFileName().toString().startsWith("circuitscope-bench-")).count();
            LoadMemoryBenchmark.Result r = new LoadMemoryBenchmark(SMALL).run();
            assertEquals(0, r.float32MiB());
            assertTrue(r.peakRssMiB() > 20, "a JVM with libtorch loaded peaks above 20 MiB: " + r.peakRssMiB());
            assertEquals(r.float32MiB() + LoadMemoryBenchmark.ALLOWANCE_MIB, r.budgetMiB());
            assertEquals(r.peakRssMiB() <= r.budgetMiB(), r.withinBudget());
            try (Stream<Path> after = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                assertEquals(benchDirs, after.filter(p -> p.getFileName().toString().startsWith("circuitscope-bench-"))
                        .count());
            }
        }
    }
}
