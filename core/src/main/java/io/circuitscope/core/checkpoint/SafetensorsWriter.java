package io.circuitscope.core.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.io.AtomicFileWriter;
import io.circuitscope.core.model.FloatTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.Objects;

/** Writes float32 tensors as a safetensors file, atomically: on failure any earlier file at the path is left as it was. */
public final class SafetensorsWriter {
    private static final int BUFFER_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    /**
     * Writes {@code tensors} as F32 in the map's iteration order, with {@code metadata} as the header's
     * {@code __metadata__} when it is non-empty. The file is written beside {@code file} under a temporary
     * name and then moved into place, replacing any existing file.
     *
     * @param metadata string pairs to store in the header; empty for none
     * @throws CheckpointException if the file cannot be written
     * @throws IllegalArgumentException if a tensor is named {@code __metadata__}
     */
    public static void write(Path file, Map<String, FloatTensor> tensors, Map<String, String> metadata) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        tensors.forEach((name, t) -> shapes.put(name, t.shape()));
        write(file, shapes, metadata, tensors::get);
    }

    /**
     * As {@link #write(Path, Map, Map)}, but asks {@code values} for each tensor only when it is written, so that a
     * file larger than the heap can be produced one tensor at a time.
     *
     * @param shapes every tensor's name and shape, in file order
     * @param values the tensor for a name; it must have the declared shape
     */
    public static void write(Path file, Map<String, int[]> shapes, Map<String, String> metadata,
                             Function<String, FloatTensor> values) {
        Objects.requireNonNull(metadata, "metadata");
        if (shapes.containsKey("__metadata__")) {
            throw new IllegalArgumentException("a tensor cannot be named __metadata__");
        }
        try {
            byte[] header = header(shapes, metadata);
            AtomicFileWriter.write(file, out -> {
                writeAll(out, ByteBuffer.wrap(header));
                ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                FloatBuffer floats = buffer.asFloatBuffer();
                for (Map.Entry<String, int[]> e : shapes.entrySet()) {
                    FloatTensor tensor = values.apply(e.getKey());
                    if (!tensor.hasShape(e.getValue())) {
                        throw new IllegalArgumentException("tensor " + e.getKey() + " has shape "
                                + Arrays.toString(tensor.shape()) + ", declared " + Arrays.toString(e.getValue()));
                    }
                    writeFloats(out, tensor.data(), buffer, floats);
                }
            });
        } catch (IOException e) {
            throw CheckpointException.ioFailure("cannot write " + file, e);
        }
    }

    /** The 8-byte little-endian length followed by the JSON header, space-padded so the data starts 8-byte aligned. */
    private static byte[] header(Map<String, int[]> shapes, Map<String, String> metadata) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", "F32");
            ArrayNode shape = entry.putArray("shape");
            for (int d : e.getValue()) {
                shape.add(d);
            }
            long end = offset + FloatTensor.sizeOf(e.getValue()) * Float.BYTES;
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer header = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(padded).put(json);
        while (header.hasRemaining()) {
            header.put((byte) ' ');
        }
        return header.array();
    }

    private static void writeFloats(FileChannel out, float[] data, ByteBuffer buffer, FloatBuffer floats)
            throws IOException {
        for (int offset = 0; offset < data.length; ) {
            int n = Math.min(floats.capacity(), data.length - offset);
            floats.clear();
            floats.put(data, offset, n);
            buffer.clear().limit(n * Float.BYTES);
            writeAll(out, buffer);
            offset += n;
        }
    }

    private static void writeAll(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }
}
