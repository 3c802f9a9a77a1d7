package io.circuitscope.core.export;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.io.AtomicFileWriter;
import io.circuitscope.core.io.IoFailure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Writes float32 arrays as NumPy {@code .npy} (format 1.0, little-endian, C order), atomically. */
public final class NpyWriter {
    private NpyWriter() {
    }

    /** Writes {@code data} with the given shape to {@code file} via a temp file in the same directory. */
    public static void writeFloat32(Path file, float[] data, int... shape) {
        long size = Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b);
        if (size != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + data.length);
        }
        String dims = Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + (shape.length == 1 ? "," : "")
                + "), }";
        // The magic (6) + version (2) + header length (2) + header must be a multiple of 64, ending in '\n'.
        int unpadded = 10 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(padded - unpadded) + "\n";
        ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        head.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        head.putShort((short) header.length());
        ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(data);
        try {
            AtomicFileWriter.writeBytes(file, head.array(), header.getBytes(StandardCharsets.US_ASCII), body.array());
        } catch (IOException e) {
            throw new CircuitscopeException(file + ": cannot write: " + IoFailure.describe(e), e);
        }
    }
}
