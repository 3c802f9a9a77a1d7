package io.circuitscope.core.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.circuitscope.core.io.InputFile;
import io.circuitscope.core.model.FloatTensor;
import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file whose header is parsed and validated on {@link #open}, and whose tensors are read one at a
 * time on {@link #read}, through a small buffer, so files far larger than the heap can be loaded.
 */
// Positional reads rather than memory maps: a mapped page counts in the process's resident memory until the
// garbage collector unmaps the buffer, which Java offers no way to force, so mapping a 6 GB checkpoint would look
// (and, under a memory limit, act) like holding it twice. Reads go through the page cache, which is not ours.
public final class SafetensorsFile implements AutoCloseable {
    /** The cap the reference implementation uses; a larger header means a corrupt or foreign file. */
    private static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Tensor data is read through a buffer of this size. */
    private static final int READ_CHUNK_BYTES = 8 << 20;
    private static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final String label;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;
    private final int readChunkBytes;
    private ByteBuffer chunk;

    private SafetensorsFile(String label, FileChannel channel, long dataStart,
                            Map<String, Entry> entries, Map<String, String> metadata, int readChunkBytes) {
        this.readChunkBytes = readChunkBytes;
        this.label = label;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = Collections.unmodifiableMap(entries);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Opens {@code file} and validates its header: dtypes, shapes, that each tensor's byte range
     * matches its shape, and that the ranges tile the data region exactly, with no gap, overlap or
     * trailing byte. No tensor data is read.
     *
     * @throws CheckpointException if the file cannot be opened or is not a well-formed safetensors file
     */
    public static SafetensorsFile open(Path file) {
        return open(file, READ_CHUNK_BYTES);
    }

    /**
     * As {@link #open(Path)}, reading tensors in chunks of {@code readChunkBytes} (a multiple of 8), so that tests
     * can exercise tensors that span several chunks without writing large files.
     */
    static SafetensorsFile open(Path file, int readChunkBytes) {
        String label = file.toString();
        // A FIFO would block open() forever, and a directory or broken link deserves its own message.
        InputFile.requireRegular(file, "");
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw CheckpointException.ioFailure("cannot open " + label, e);
        }
        try {
            return parse(label, channel, readChunkBytes);
        } catch (IOException e) {
            closeAfterFailure(channel, e);
            throw CheckpointException.ioFailure("cannot read " + label, e);
        } catch (RuntimeException e) {
            closeAfterFailure(channel, e);
            throw e;
        }
    }

    /** The tensor names in the order the header lists them. */
    public Set<String> names() {
        return entries.keySet();
    }

    /** The shape of tensor {@code name}; a fresh copy. */
    public int[] shape(String name) {
        return entry(name).shape.clone();
    }

    /** The safetensors dtype of tensor {@code name}, such as {@code "F32"} or {@code "BF16"}. */
    public String dtype(String name) {
        return entry(name).dtype.name();
    }

    /** The header's {@code __metadata__} string map; empty when the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Reads tensor {@code name} as float32. F16 and BF16 convert exactly; F64 rounds to the nearest float.
     *
     * @throws CheckpointException if the tensor is missing or its dtype is not a floating-point one
     */
    public FloatTensor read(String name) {
        return readWhole(entry(name));
    }

    /**
     * Reads tensor {@code name} as {@link #read(String)} does, after checking it has exactly {@code expectedShape}.
     *
     * @throws CheckpointException if the tensor is missing or has another shape
     */
    public FloatTensor read(String name, int... expectedShape) {
        return readWhole(checkedEntry(name, expectedShape));
    }

    /**
     * Decodes tensor {@code name}, which must have exactly {@code expectedShape}, as float32 into {@code out} from
     * its position on, advancing the position past the values, without an intermediate array.
     *
     * @throws CheckpointException if the tensor is missing, has another shape or cannot be read
     * @throws java.nio.BufferOverflowException if {@code out} has too little room
     */
    public void readInto(String name, int[] expectedShape, FloatBuffer out) {
        readInto(checkedEntry(name, expectedShape), out);
    }

    private Entry checkedEntry(String name, int... expectedShape) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException(label + ": missing tensor '" + name
                    + "' (expected shape " + Arrays.toString(expectedShape) + ")");
        }
        if (!Arrays.equals(e.shape, expectedShape)) {
            throw new CheckpointException(label + ": tensor '" + name + "' has shape "
                    + Arrays.toString(e.shape) + ", expected " + Arrays.toString(expectedShape));
        }
        return e;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw CheckpointException.ioFailure("cannot close " + label, e);
        }
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException(label + ": missing tensor '" + name + "'");
        }
        return e;
    }

    /** The whole tensor as a new heap array. */
    private FloatTensor readWhole(Entry e) {
        long count = e.elementCount();
        if (count > Integer.MAX_VALUE) {
            throw new CheckpointException(label + ": tensor '" + e.name + "' has " + count
                    + " elements, more than the " + Integer.MAX_VALUE + " a Java array can hold");
        }
        float[] out = new float[(int) count];
        readInto(e, FloatBuffer.wrap(out));
        return new FloatTensor(out, e.shape);
    }

    private void readInto(Entry e, FloatBuffer out) {
        if (!e.dtype.isFloat()) {
            throw new CheckpointException(label + ": tensor '" + e.name + "' has dtype " + e.dtype
                    + ", which cannot be read as floats (readable dtypes: F32, F16, BF16, F64)");
        }
        long count = e.elementCount();
        if (out.remaining() < count) {
            throw new BufferOverflowException();
        }
        if (!channel.isOpen()) {
            throw new IllegalStateException(label + " is already closed");
        }
        int width = e.dtype.bytes;
        if (chunk == null) {
            chunk = ByteBuffer.allocateDirect(readChunkBytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        int chunkElements = readChunkBytes / width;
        try {
            // A file that shrank since open() would otherwise be caught only part-way through the tensor.
            if (dataStart + e.end > channel.size()) {
                throw new CheckpointException(label + ": tensor '" + e.name + "' lies beyond the end of the file,"
                        + " which has shrunk since it was opened");
            }
            for (long done = 0; done < count; ) {
                int n = (int) Math.min(chunkElements, count - done);
                chunk.clear().limit(n * width);
                readFully(label, channel, chunk, dataStart + e.begin + done * width,
                        "tensor '" + e.name + "'; it has shrunk since it was opened");
                chunk.flip();
                decode(e.dtype, chunk, out, n);
                done += n;
            }
        } catch (IOException ex) {
            throw CheckpointException.ioFailure(label + ": cannot read tensor '" + e.name + "'", ex);
        }
    }

    private static void decode(Dtype dtype, ByteBuffer bytes, FloatBuffer out, int n) {
        switch (dtype) {
            case F32 -> out.put(bytes.asFloatBuffer());
            case F64 -> {
                DoubleBuffer doubles = bytes.asDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    out.put((float) doubles.get(i));
                }
            }
            case F16 -> {
                ShortBuffer halves = bytes.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    out.put(halfToFloat(halves.get(i)));
                }
            }
            case BF16 -> {
                ShortBuffer halves = bytes.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    out.put(Float.intBitsToFloat(halves.get(i) << 16));
                }
            }
            default -> throw new IllegalStateException("not a float dtype: " + dtype);
        }
    }

    /** IEEE binary16 to binary32; every half value, subnormals included, is exactly representable. */
    private static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Subnormal (or zero): mantissa * 2^-24, and the product of a 10-bit integer and a power of two is exact.
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        // Rebias the exponent from 15 to 127.
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static SafetensorsFile parse(String label, FileChannel channel, int readChunkBytes) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new CheckpointException(label + ": file is only " + fileSize + " bytes long, too short"
                    + " for the 8-byte header length of a safetensors file; it is empty or truncated");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(label, channel, prefix, 0, "its header; it is truncated");
        long headerLength = prefix.getLong(0);
        long available = fileSize - 8;
        // The length is an unsigned u64; compare before allocating so a corrupt length cannot exhaust memory.
        if (Long.compareUnsigned(headerLength, available) > 0) {
            throw new CheckpointException(label + ": header length " + Long.toUnsignedString(headerLength)
                    + " bytes is larger than the " + available + " bytes that follow it;"
                    + " the file is truncated or not a safetensors file");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new CheckpointException(label + ": header length " + headerLength + " bytes exceeds the "
                    + MAX_HEADER_BYTES + "-byte limit; the file is corrupt or not a safetensors file");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(label, channel, headerBytes, 8, "its header; it is truncated");
        JsonNode root = parseJson(label, headerBytes.flip());

        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        long dataBytes = available - headerLength;
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                parseMetadata(label, field.getValue(), metadata);
            } else {
                entries.put(field.getKey(), Entry.parse(label, field.getKey(), field.getValue(), dataBytes));
            }
        }
        checkExactCoverage(label, entries.values(), dataBytes);
        return new SafetensorsFile(label, channel, 8 + headerLength, entries, metadata, readChunkBytes);
    }

    private static JsonNode parseJson(String label, ByteBuffer headerBytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(headerBytes).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(label + ": header is not valid UTF-8; this is not a safetensors file", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(label + ": header is not valid JSON (" + e.getOriginalMessage()
                    + "); the file is corrupt or not a safetensors file", e);
        }
        if (!root.isObject()) {
            throw new CheckpointException(label + ": header is not a JSON object; the file is corrupt"
                    + " or not a safetensors file");
        }
        return root;
    }

    private static void parseMetadata(String label, JsonNode node, Map<String, String> into) {
        if (!node.isObject()) {
            throw new CheckpointException(label + ": " + METADATA_KEY + " is not a JSON object of strings");
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw new CheckpointException(label + ": " + METADATA_KEY + " value for '" + field.getKey()
                        + "' is " + field.getValue() + ", not a string");
            }
            into.put(field.getKey(), field.getValue().textValue());
        }
    }

    /**
     * Requires the tensors to tile the data region exactly, from offset 0 to the end of the file, as the reference
     * implementation does: a gap, an overlap or a trailing byte means the header and the data disagree, and every
     * tensor after that point would be read shifted.
     */
    private static void checkExactCoverage(String label, Iterable<Entry> entries, long dataBytes) {
        List<Entry> sorted = new ArrayList<>();
        entries.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong((Entry e) -> e.begin).thenComparingLong(e -> e.end));
        long expected = 0;
        Entry previous = null;
        for (Entry current : sorted) {
            if (current.begin < expected) {
                throw new CheckpointException(label + ": tensors '" + previous.name + "' " + previous.range()
                        + " and '" + current.name + "' " + current.range() + " overlap; the header is corrupt");
            }
            if (current.begin > expected) {
                throw new CheckpointException(label + ": bytes [" + expected + ", " + current.begin + ") of the data"
                        + " region before tensor '" + current.name + "' belong to no tensor; the header and the data"
                        + " disagree (the file is corrupt or its header length is wrong)");
            }
            expected = current.end;
            previous = current;
        }
        if (expected != dataBytes) {
            throw new CheckpointException(label + ": the tensors end at data offset " + expected + " but the data"
                    + " region is " + dataBytes + " bytes; the header and the data disagree (the file has extra"
                    + " bytes, or its header length is wrong)");
        }
    }

    /** Fills {@code into} from {@code position} on; running out of file is an error naming {@code what}. */
    private static void readFully(String label, FileChannel channel, ByteBuffer into, long position, String what)
            throws IOException {
        while (into.hasRemaining()) {
            int n = channel.read(into, position + into.position());
            if (n < 0) {
                throw new CheckpointException(label + ": file ended while reading " + what);
            }
        }
    }

    private static void closeAfterFailure(FileChannel channel, Exception failure) {
        try {
            channel.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** The safetensors dtypes with whole-byte elements; only the floating-point ones can be read. */
    private enum Dtype {
        BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2),
        I32(4), U32(4), F32(4), I64(8), U64(8), F64(8);

        final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        boolean isFloat() {
            return this == F16 || this == BF16 || this == F32 || this == F64;
        }

        static Dtype named(String name) {
            for (Dtype d : values()) {
                if (d.name().equals(name)) {
                    return d;
                }
            }
            return null;
        }
    }

    /** One tensor's header entry; begin and end are offsets into the data region. */
    private record Entry(String name, Dtype dtype, int[] shape, long begin, long end) {
        static Entry parse(String label, String name, JsonNode node, long dataBytes) {
            String where = label + ": tensor '" + name + "'";
            if (!node.isObject()) {
                throw new CheckpointException(where + " has header entry " + node + ", not a JSON object");
            }
            JsonNode dtypeNode = node.get("dtype");
            if (dtypeNode == null || !dtypeNode.isTextual()) {
                throw new CheckpointException(where + " has no dtype");
            }
            Dtype dtype = Dtype.named(dtypeNode.textValue());
            if (dtype == null) {
                throw new CheckpointException(where + " has unknown dtype '" + dtypeNode.textValue()
                        + "' (readable dtypes: F32, F16, BF16, F64)");
            }
            int[] shape = parseShape(where, node.get("shape"));
            long[] offsets = parseOffsets(where, node.get("data_offsets"));
            Entry entry = new Entry(name, dtype, shape, offsets[0], offsets[1]);
            long needed;
            try {
                needed = Math.multiplyExact(entry.elementCount(), dtype.bytes);
            } catch (ArithmeticException e) {
                throw new CheckpointException(where + " has shape " + Arrays.toString(shape) + ", which is too large");
            }
            if (entry.end - entry.begin != needed) {
                throw new CheckpointException(where + " has dtype " + dtype + " and shape " + Arrays.toString(shape)
                        + ", which need " + needed + " bytes, but its data_offsets " + entry.range()
                        + " span " + (entry.end - entry.begin) + " bytes");
            }
            if (entry.end > dataBytes) {
                throw new CheckpointException(where + " data " + entry.range()
                        + " lies beyond the end of the file (data region is " + dataBytes
                        + " bytes); the file may be truncated");
            }
            return entry;
        }

        private static int[] parseShape(String where, JsonNode node) {
            if (node == null) {
                throw new CheckpointException(where + " has no shape");
            }
            if (!node.isArray()) {
                throw new CheckpointException(where + " has shape " + node + ", not a list of dimensions");
            }
            int[] shape = new int[node.size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = node.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                    throw new CheckpointException(where + " has shape " + node
                            + "; dimensions must be non-negative integers");
                }
                shape[i] = d.intValue();
            }
            return shape;
        }

        private static long[] parseOffsets(String where, JsonNode node) {
            if (node == null) {
                throw new CheckpointException(where + " has no data_offsets");
            }
            if (node.isArray() && node.size() == 2) {
                JsonNode b = node.get(0);
                JsonNode e = node.get(1);
                if (b.isIntegralNumber() && b.canConvertToLong() && e.isIntegralNumber() && e.canConvertToLong()
                        && b.longValue() >= 0 && b.longValue() <= e.longValue()) {
                    return new long[] {b.longValue(), e.longValue()};
                }
            }
            throw new CheckpointException(where + " has data_offsets " + node
                    + "; expected [begin, end] with 0 <= begin <= end");
        }

        long elementCount() {
            long n = 1;
            for (int d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        String range() {
            return "[" + begin + ", " + end + ")";
        }
    }
}
