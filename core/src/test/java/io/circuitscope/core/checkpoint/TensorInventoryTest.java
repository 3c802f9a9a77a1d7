package io.circuitscope.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.model.FloatTensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorInventoryTest {
    @TempDir
    Path dir;

    @Test
    void aNonFiniteValueIsReportedAtItsIndexInTheTensorWhereverTheBufferStarts() {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, Map.of("w", new FloatTensor(new float[] {1, 2, Float.POSITIVE_INFINITY, 4}, 4)),
                Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            TensorInventory inventory = new TensorInventory(st, file.toString());
            FloatBuffer out = FloatBuffer.allocate(10);
            out.position(5);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> inventory.fill("w", 4).writeTo(out));
            assertTrue(e.getMessage().contains("'w' holds Infinity at flat index 2;"), e.getMessage());
            // A tensor whose read failed is not counted as used.
            CheckpointException unused = assertThrows(CheckpointException.class,
                    () -> inventory.requireAllUsed(n -> false, dir.resolve("config.json"), "hint"));
            assertTrue(unused.getMessage().contains("1 tensor is not used"), unused.getMessage());
        }
    }
}
