package io.circuitscope.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.model.FloatTensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.BufferOverflowException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    private static final String NAME = "model.safetensors";

    @TempDir
    Path dir;

    // ---- round trip -------------------------------------------------------------------------

    @Test
    void writtenTensorsAndMetadataReadBackEqual() throws IOException {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        tensors.put("blocks.0.attn.W_Q", new FloatTensor(new float[] {1, -2.5f, 3e-8f, Float.MAX_VALUE, -0f, 6}, 2, 3));
        tensors.put("scalar", new FloatTensor(new float[] {42}));
        tensors.put("empty", new FloatTensor(new float[0], 0, 4));
        tensors.put("embed.W_E", new FloatTensor(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, 7, 8}, 4));
        Map<String, String> metadata = Map.of("format", "pt", "note", "ünïcödé");
        Path file = dir.resolve(NAME);

        SafetensorsWriter.write(file, tensors, metadata);

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.copyOf(tensors.keySet()), List.copyOf(st.names()));
            assertEquals(metadata, st.metadata());
            for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
                assertEquals("F32", st.dtype(e.getKey()));
                assertArrayEquals(e.getValue().shape(), st.shape(e.getKey()));
                FloatTensor read = st.read(e.getKey(), e.getValue().shape());
                assertArrayEquals(e.getValue().shape(), read.shape());
                assertArrayEquals(e.getValue().data(), read.data());
            }
        }
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header is padded so the data starts 8-byte aligned");
    }

    @Test
    void readIntoDecodesAtTheBuffersPositionInSmallChunksAndRefusesAShortBuffer() {
        Path file = dir.resolve(NAME);
        float[] values = {1, 2, 3, 4, 5, 6, 7};
        SafetensorsWriter.write(file, Map.of("t", new FloatTensor(values, 7)), Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(file, 8)) {
            FloatBuffer out = FloatBuffer.allocate(9);
            out.put(-1f);
            st.readInto("t", new int[] {7}, out);
            assertEquals(8, out.position());
            assertArrayEquals(new float[] {-1, 1, 2, 3, 4, 5, 6, 7, 0}, out.array());
            assertThrows(BufferOverflowException.class, () -> st.readInto("t", new int[] {7}, FloatBuffer.allocate(6)));
            assertMessage(assertThrows(CheckpointException.class,
                    () -> st.readInto("t", new int[] {1, 7}, FloatBuffer.allocate(7))), "'t' has shape [7], expected [1, 7]");
        }
    }

    @Test
    void theStreamingWriterRefusesATensorOfAnotherShapeThanDeclared() {
        Path file = dir.resolve(NAME);
        Map<String, int[]> shapes = Map.of("t", new int[] {2, 2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file,
                shapes, Map.of(), name -> new FloatTensor(new float[4], 4)));
        assertTrue(e.getMessage().contains("tensor t has shape [4], declared [2, 2]"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void writerOmitsEmptyMetadataAndReplacesAnExistingFileLeavingNoTempFiles() throws IOException {
        Path file = dir.resolve(NAME);
        SafetensorsWriter.write(file, Map.of("a", new FloatTensor(new float[] {1, 2}, 2)), Map.of("v", "1"));
        SafetensorsWriter.write(file, Map.of("b", new FloatTensor(new float[] {3}, 1)), Map.of());

        String header = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        assertFalse(header.contains("__metadata__"), header);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.of("b"), List.copyOf(st.names()));
            assertTrue(st.metadata().isEmpty());
            assertArrayEquals(new float[] {3}, st.read("b").data());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void failedWriteLeavesNoTempFileAndNamesTheFile() throws IOException {
        // A non-empty directory where the file should go makes the final move fail after the data is written.
        Path blocked = Files.createDirectory(dir.resolve(NAME));
        Files.writeString(blocked.resolve("keep.txt"), "x");

        CheckpointException e = assertThrows(CheckpointException.class, () ->
                SafetensorsWriter.write(blocked, Map.of("a", new FloatTensor(new float[] {1}, 1)), Map.of()));

        assertMessage(e, NAME, "cannot write");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(blocked), files.toList());
        }
        assertTrue(Files.exists(blocked.resolve("keep.txt")));
    }

    @Test
    void writeIntoMissingDirectoryCreatesIt() {
        Path file = dir.resolve("no-such-dir").resolve(NAME);
        SafetensorsWriter.write(file, Map.of("a", new FloatTensor(new float[] {1}, 1)), Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(1f, st.read("a", 1).data()[0]);
        }
    }

    @Test
    void writeBelowARegularFileFailsNamingTheFile() throws IOException {
        Path notADir = Files.writeString(dir.resolve("plain.txt"), "x");
        Path file = notADir.resolve(NAME);
        CheckpointException e = assertThrows(CheckpointException.class, () ->
                SafetensorsWriter.write(file, Map.of("a", new FloatTensor(new float[] {1}, 1)), Map.of()));
        assertMessage(e, file.toString(), "cannot write");
    }

    @Test
    void writerRejectsTheReservedMetadataName() {
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(dir.resolve(NAME),
                Map.of("__metadata__", new FloatTensor(new float[] {1}, 1)), Map.of()));
    }

    // ---- half-precision and double dtypes -----------------------------------------------------

    @Test
    void f16IsConvertedExactlyIncludingSubnormalsInfinitiesAndNan() throws IOException {
        int[] halves = {0x3C00, 0xC000, 0x3555, 0x0001, 0x8001, 0x03FF, 0x0400, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x8000};
        float[] expected = {1f, -2f, 0.333251953125f, 0x1p-24f, -0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, 65504f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, -0f};
        Path file = craft("{\"h\":{\"dtype\":\"F16\",\"shape\":[3,4],\"data_offsets\":[0,24]}}", shorts(halves));

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals("F16", st.dtype("h"));
            FloatTensor t = st.read("h", 3, 4);
            assertArrayEquals(expected, t.data());
        }
    }

    @Test
    void bf16IsTheUpperHalfOfFloat32() throws IOException {
        int[] halves = {0x3F80, 0xC040, 0x4049, 0x0001, 0x7F80, 0xFF80, 0x8000};
        float[] expected = {1f, -3f, 3.140625f, Float.intBitsToFloat(0x00010000), Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, -0f};
        Path file = craft("{\"b\":{\"dtype\":\"BF16\",\"shape\":[7],\"data_offsets\":[0,14]}}", shorts(halves));

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertArrayEquals(expected, st.read("b").data());
        }
    }

    @Test
    void f64IsRoundedToFloat() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.5).putDouble(0.1);
        Path file = craft("{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", data.array());

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {0.5f, 0.1f}, st.read("d").data());
        }
    }

    @Test
    void tensorsAreReadFromTheirOwnOffsetsAfterMetadata() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3);
        Path file = craft("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"second\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"first\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data.array());

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.of("second", "first"), List.copyOf(st.names()));
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertArrayEquals(new float[] {3}, st.read("second").data());
            assertArrayEquals(new float[] {1, 2}, st.read("first").data());
        }
    }

    // ---- malformed files --------------------------------------------------------------------

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        Path file = writeBytes(new byte[] {1, 2, 3, 4, 5});
        assertOpenFails(file, "5 bytes", "too short");
    }

    @Test
    void headerLongerThanTheFile() throws IOException {
        Path file = writeBytes(withLength(1000, new byte[92]));
        assertOpenFails(file, "header length 1000", "larger than the 92 bytes", "truncated");
    }

    @Test
    void hugeHeaderLengthFailsWithoutAllocating() throws IOException {
        Path file = writeBytes(withLength(1L << 60, new byte[92]));
        assertOpenFails(file, "header length " + (1L << 60), "larger than");
    }

    @Test
    void headerLengthAboveTheSignedRangeIsTreatedAsUnsigned() throws IOException {
        Path file = writeBytes(withLength(-1L, new byte[92]));
        assertOpenFails(file, "header length 18446744073709551615", "larger than");
    }

    @Test
    void headerLengthAboveTheLimitIsRejectedEvenWhenTheFileIsThatLarge() throws IOException {
        Path file = writeBytes(withLength(200_000_000L, new byte[0]));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(8 + 200_000_000L); // sparse, so nothing is actually written
        }
        assertOpenFails(file, "header length 200000000", "exceeds", "limit");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        assertOpenFails(craft("{not json", new byte[0]), "not valid JSON");
        assertOpenFails(craft("{} trailing", new byte[0]), "not valid JSON");
        assertOpenFails(craft("", new byte[0]), "not a JSON object");
    }

    @Test
    void headerThatIsNotAnObject() throws IOException {
        assertOpenFails(craft("[1, 2]", new byte[0]), "not a JSON object");
    }

    @Test
    void headerThatIsNotUtf8() throws IOException {
        Path file = writeBytes(withLength(3, new byte[] {'{', (byte) 0xFF, '}'}));
        assertOpenFails(file, "not valid UTF-8");
    }

    @Test
    void duplicateTensorNames() throws IOException {
        String entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        assertOpenFails(craft("{\"x\":" + entry + ",\"x\":" + entry + "}", new byte[4]), "not valid JSON", "'x'");
    }

    @Test
    void unknownDtype() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertOpenFails(file, "'w'", "unknown dtype 'Q7'");
    }

    @Test
    void integerDtypeOpensButCannotBeReadAsFloats() throws IOException {
        Path file = craft("{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", new byte[16]);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals("I64", st.dtype("ids"));
            assertFails(() -> st.read("ids"), "'ids'", "dtype I64", "cannot be read as floats");
        }
    }

    @Test
    void missingDtype() throws IOException {
        assertOpenFails(craft("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "'w'", "no dtype");
    }

    @Test
    void negativeShapeEntry() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertOpenFails(file, "'w'", "[2,-1]", "non-negative");
    }

    @Test
    void nonIntegerShapeEntry() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4]);
        assertOpenFails(file, "'w'", "non-negative integers");
    }

    @Test
    void missingShape() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]);
        assertOpenFails(file, "'w'", "no shape");
    }

    @Test
    void malformedDataOffsets() throws IOException {
        assertOpenFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), "'w'", "no data_offsets");
        assertOpenFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]),
                "'w'", "data_offsets [0]");
        assertOpenFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", new byte[8]),
                "'w'", "begin <= end");
    }

    @Test
    void dataOffsetsThatDisagreeWithTheShape() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[24]);
        assertOpenFails(file, "which need 24 bytes, but its data_offsets [0, 20) span 20 bytes");
        assertOpenFails(file, "'w'", "need 24 bytes", "span 20 bytes");
    }

    @Test
    void truncatedDataRegion() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", new byte[10]);
        assertOpenFails(file, "'w'", "[0, 24)", "beyond the end of the file", "10 bytes", "truncated");
    }

    @Test
    void overlappingTensors() throws IOException {
        Path file = craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", new byte[24]);
        assertOpenFails(file, "'a' [0, 16)", "'b' [8, 24)", "overlap");
    }

    // ---- the tensors must tile the data region exactly ------------------------------------------------------------

    @Test
    void aGapBeforeTheFirstTensorIsRefused() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        assertOpenFails(file, "bytes [0, 4) of the data region before tensor 'w' belong to no tensor");
    }

    @Test
    void aGapBeforeTheLastTensorIsRefused() throws IOException {
        Path file = craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]);
        assertOpenFails(file, "bytes [4, 8)", "before tensor 'b'", "the header and the data disagree");
    }

    @Test
    void bytesAfterTheLastTensorAreRefused() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[7]);
        assertOpenFails(file, "the tensors end at data offset 4 but the data region is 7 bytes");
        assertOpenFails(craft("{}", new byte[1]), "the tensors end at data offset 0 but the data region is 1 bytes");
    }

    @Test
    void emptyTensorsMayShareAnOffsetWithTheirNeighbours() throws IOException {
        Path file = craft("{\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(0, st.read("e").size());
        }
    }

    @Test
    void lengthPrefixLoweredIntoTheHeaderPaddingIsRefused() throws IOException {
        Path file = dir.resolve(NAME);
        SafetensorsWriter.write(file, Map.of("w", new FloatTensor(new float[] {1, 2, 3}, 3)), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer prefix = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = prefix.getLong(0);
        assertEquals(' ', bytes[(int) (8 + headerLength - 1)], "the writer pads its header with spaces");
        prefix.putLong(0, headerLength - 1);
        Files.write(file, bytes);
        // Still valid JSON, but every tensor would now be read one byte early.
        assertOpenFails(file, "the tensors end at data offset 12 but the data region is 13 bytes");
    }

    @Test
    void bytesInsertedIntoTheDataAreRefused() throws IOException {
        Path file = dir.resolve(NAME);
        SafetensorsWriter.write(file, Map.of("a", new FloatTensor(new float[] {1, 2}, 2),
                "b", new FloatTensor(new float[] {3}, 1)), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 3);
        Files.write(file, longer);
        assertOpenFails(file, "the tensors end at data offset 12 but the data region is 15 bytes");
    }

    @Test
    void anEmptyTensorAfterANonEmptyOneAtTheSameOffsetIsNotAnOverlap() throws IOException {
        Path file = craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", new byte[8]);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(0, st.read("e").size());
        }
    }

    @Test
    void aTensorReadInManySmallChunksEqualsOneRead() throws IOException {
        float[] values = new float[37];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 1.5f - 7;
        }
        Path file = dir.resolve(NAME);
        SafetensorsWriter.write(file, Map.of("a", new FloatTensor(new float[] {9, 8}, 2),
                "w", new FloatTensor(values, 37)), Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(file, 12)) {
            assertArrayEquals(values, st.read("w").data());
            assertArrayEquals(new float[] {9, 8}, st.read("a").data());
        }
    }

    @Test
    void aFileThatShrankAfterOpeningIsReportedNotMapped() throws IOException {
        Path file = dir.resolve(NAME);
        SafetensorsWriter.write(file, Map.of("w", new FloatTensor(new float[16], 16)), Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            try (java.nio.channels.FileChannel shrink = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.WRITE)) {
                shrink.truncate(Files.size(file) - 4);
            }
            assertFails(() -> st.read("w"), "tensor 'w' lies beyond the end of the file, which has shrunk since it was"
                    + " opened");
        }
    }

    @Test
    void aRejectedFileIsClosed() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[5]);
        assertOpenFails(file, "the tensors end at data offset 4");
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            List<Path> open = fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException e) {
                    return false;
                }
            }).toList();
            assertEquals(List.of(), open, "no descriptor of the rejected file stays open");
        }
    }

    @Test
    void anEightByteFileIsLongEnoughForTheLengthPrefix() throws IOException {
        assertOpenFails(writeBytes(withLength(0, new byte[0])), "header is not a JSON object");
    }

    @Test
    void headerEntriesOfTheWrongShapeAreNamed() throws IOException {
        assertOpenFails(craft("{\"w\":5}", new byte[0]), "tensor 'w' has header entry 5, not a JSON object");
        assertOpenFails(craft("{\"w\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'w' has no dtype");
        assertOpenFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":5,\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'w' has shape 5, not a list of dimensions");
    }

    @Test
    void aTensorLargerThanTheWriteBufferRoundTrips() throws IOException {
        float[] values = new float[(1 << 18) + 12345]; // 1.05 MiB, more than the writer's 1 MiB buffer
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i);
        }
        Path file = dir.resolve(NAME);
        SafetensorsWriter.write(file, Map.of("big", new FloatTensor(values, values.length)), Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertArrayEquals(values, st.read("big").data());
        }
    }

    @Test
    void theWrittenHeaderReadsBackWithAnIndependentParser() throws IOException {
        Path file = dir.resolve(NAME);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        tensors.put("a", new FloatTensor(new float[] {1, 2, 3}, 3));
        tensors.put("b", new FloatTensor(new float[] {4, 5, 6, 7}, 2, 2));
        SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, (8 + headerLength) % 8, "data starts 8-byte aligned");
        assertEquals(bytes.length, 8 + headerLength + 7 * 4, "header, then exactly the tensors' bytes");
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        String json = header.stripTrailing();
        assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '), "padded with spaces only");
        assertTrue(header.length() - json.length() < 8, "at most 7 bytes of padding");
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertEquals("pt", root.get("__metadata__").get("format").asText());
        assertEquals("[0,12]", root.get("a").get("data_offsets").toString());
        assertEquals("[12,28]", root.get("b").get("data_offsets").toString());
        assertEquals("[2,2]", root.get("b").get("shape").toString());
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + headerLength), 28).order(ByteOrder.LITTLE_ENDIAN);
        for (float expected = 1; expected <= 7; expected++) {
            assertEquals(expected, data.getFloat());
        }
    }

    @Test
    void metadataWithNonStringValues() throws IOException {
        assertOpenFails(craft("{\"__metadata__\":{\"epochs\":3}}", new byte[0]), "__metadata__", "'epochs'");
        assertOpenFails(craft("{\"__metadata__\":[1]}", new byte[0]), "__metadata__", "not a JSON object");
    }

    @Test
    void tensorWithMoreElementsThanAJavaArrayHolds() throws IOException {
        long elements = 65536L * 32769; // just over Integer.MAX_VALUE
        Path file = craft("{\"big\":{\"dtype\":\"BF16\",\"shape\":[65536,32769],\"data_offsets\":[0,"
                + elements * 2 + "]}}", new byte[0]);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() + elements * 2); // sparse, so the 4 GiB are never written
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertFails(() -> st.read("big"), "'big'", elements + " elements", "Java array");
        }
    }

    @Test
    void missingFile() {
        assertNotARegularFile(dir.resolve(NAME), "file not found");
    }

    @Test
    void directoryInsteadOfFile() throws IOException {
        assertNotARegularFile(Files.createDirectory(dir.resolve(NAME)), "is a directory, not a file");
    }

    @Test
    void fifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve(NAME);
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // Opening a FIFO for reading would block this test forever, so reaching the assertion proves it is not opened.
        assertNotARegularFile(fifo, "is not a regular file");
    }

    @Test
    void symbolicLinkLoopIsNamed() throws IOException {
        Path link = dir.resolve(NAME);
        Files.createSymbolicLink(link, link);
        assertNotARegularFile(link, "is a symbolic link that cannot be followed (a loop");
    }

    @Test
    void danglingSymbolicLinkIsNamed() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve(NAME), dir.resolve("gone.safetensors"));
        assertNotARegularFile(link, "is a symbolic link to a missing file");
    }

    // ---- lookups ------------------------------------------------------------------------------

    @Test
    void missingTensorNamesTheExpectedShape() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertFails(() -> st.read("embed.W_E", 2, 3), "missing tensor 'embed.W_E' (expected shape [2, 3])");
            assertFails(() -> st.read("embed.W_E"), "missing tensor 'embed.W_E'");
            assertFails(() -> st.shape("embed.W_E"), "missing tensor 'embed.W_E'");
        }
    }

    @Test
    void misshapedTensor() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", new byte[24]);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertFails(() -> st.read("w", 3, 2), "tensor 'w' has shape [2, 3], expected [3, 2]");
        }
    }

    @Test
    void readAfterCloseIsAProgrammingError() throws IOException {
        Path file = craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        SafetensorsFile st = SafetensorsFile.open(file);
        st.close();
        assertThrows(IllegalStateException.class, () -> st.read("w"));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Path craft(String headerJson, byte[] data) throws IOException {
        byte[] json = headerJson.getBytes(StandardCharsets.UTF_8);
        byte[] rest = ByteBuffer.allocate(json.length + data.length).put(json).put(data).array();
        return writeBytes(withLength(json.length, rest));
    }

    private static byte[] withLength(long headerLength, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).put(rest).array();
    }

    private static byte[] shorts(int... values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    private Path writeBytes(byte[] bytes) throws IOException {
        return Files.write(dir.resolve(NAME), bytes);
    }

    private static void assertNotARegularFile(Path file, String phrase) {
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> SafetensorsFile.open(file).close());
        assertEquals(file + ": " + phrase, e.getMessage().substring(0, Math.min(e.getMessage().length(),
                (file + ": " + phrase).length())), e.getMessage());
    }

    private static void assertOpenFails(Path file, String... phrases) {
        assertFails(() -> SafetensorsFile.open(file).close(), phrases);
    }

    private static void assertFails(Executable action, String... phrases) {
        CheckpointException e = assertThrows(CheckpointException.class, action);
        assertMessage(e, NAME, phrases);
    }

    private static void assertMessage(Exception e, String first, String... more) {
        assertTrue(e.getMessage().contains(first), () -> "'" + first + "' not in: " + e.getMessage());
        for (String phrase : more) {
            assertTrue(e.getMessage().contains(phrase), () -> "'" + phrase + "' not in: " + e.getMessage());
        }
    }
}
