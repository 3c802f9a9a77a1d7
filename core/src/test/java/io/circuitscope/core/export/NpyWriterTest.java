package io.circuitscope.core.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bytes {@link NpyWriter} produces, checked against the NumPy format 1.0 specification without NumPy. */
class NpyWriterTest {
    @TempDir
    Path tmp;

    @Test
    void twoDimensionalArrayHasAValidHeaderAndLittleEndianData() throws IOException {
        float[] data = {0f, 1f, -2.5f, 3.25f, Float.MIN_VALUE, -0f, Float.MAX_VALUE, 1e-8f, 7f, 8f, 9f, 10f};
        Path file = tmp.resolve("a.npy");
        NpyWriter.writeFloat32(file, data, 3, 4);
        Parsed p = Parsed.of(Files.readAllBytes(file));
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", p.dict);
        assertBitEqual(data, p.data);
    }

    @Test
    void oneDimensionalShapeHasATrailingComma() throws IOException {
        Path file = tmp.resolve("v.npy");
        NpyWriter.writeFloat32(file, new float[] {1f, 2f, 3f, 4f, 5f}, 5);
        Parsed p = Parsed.of(Files.readAllBytes(file));
        // (5) is just the integer 5 to Python's literal_eval; only (5,) is a tuple.
        assertTrue(p.dict.contains("'shape': (5,)"), p.dict);
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f, 5f}, p.data);
    }

    @Test
    void higherRankAndScalarShapes() throws IOException {
        Path cube = tmp.resolve("c.npy");
        NpyWriter.writeFloat32(cube, new float[24], 2, 3, 4);
        assertTrue(Parsed.of(Files.readAllBytes(cube)).dict.contains("'shape': (2, 3, 4)"));

        Path scalar = tmp.resolve("s.npy");
        NpyWriter.writeFloat32(scalar, new float[] {42f}, new int[0]);
        Parsed p = Parsed.of(Files.readAllBytes(scalar));
        assertTrue(p.dict.contains("'shape': ()"), p.dict);
        assertArrayEquals(new float[] {42f}, p.data);
    }

    @Test
    void specialValuesSurviveBitForBit() throws IOException {
        float[] data = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.intBitsToFloat(1)};
        Path file = tmp.resolve("special.npy");
        NpyWriter.writeFloat32(file, data, data.length);
        assertBitEqual(data, Parsed.of(Files.readAllBytes(file)).data);
    }

    @Test
    void headerIsPaddedToSixtyFourBytesForManyShapeLengths() throws IOException {
        // Shapes of growing text length move the unpadded header across several 64-byte boundaries.
        int[][] shapes = {{1}, {12, 101}, {1000, 1000, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
                {123456789, 0, 7, 7}};
        for (int[] shape : shapes) {
            long size = 1;
            for (int d : shape) {
                size *= d;
            }
            Path file = tmp.resolve("pad.npy");
            NpyWriter.writeFloat32(file, new float[(int) size], shape);
            Parsed.of(Files.readAllBytes(file));
        }
    }

    @Test
    void emptyArray() throws IOException {
        Path file = tmp.resolve("empty.npy");
        NpyWriter.writeFloat32(file, new float[0], 0, 101);
        Parsed p = Parsed.of(Files.readAllBytes(file));
        assertTrue(p.dict.contains("'shape': (0, 101)"), p.dict);
        assertEquals(0, p.data.length);
    }

    @Test
    void overwritesAndLeavesNoTempFiles() throws IOException {
        Path file = tmp.resolve("out.npy");
        NpyWriter.writeFloat32(file, new float[] {1f, 2f}, 2);
        NpyWriter.writeFloat32(file, new float[] {3f, 4f, 5f}, 3);
        assertArrayEquals(new float[] {3f, 4f, 5f}, Parsed.of(Files.readAllBytes(file)).data);
        assertEquals(List.of("out.npy"), listing(tmp));
    }

    @Test
    void createsMissingParentDirectories() throws IOException {
        Path file = tmp.resolve("a/b/c.npy");
        NpyWriter.writeFloat32(file, new float[] {1f}, 1);
        assertTrue(Files.isRegularFile(file));
    }

    @Test
    void shapeThatDoesNotHoldTheDataWritesNothing() throws IOException {
        Path file = tmp.resolve("bad.npy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NpyWriter.writeFloat32(file, new float[5], 2, 3));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        assertEquals(List.of(), listing(tmp));
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static void assertBitEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
        }
    }

    /** An .npy file checked against every rule of format 1.0 that NumPy's reader enforces. */
    private record Parsed(String dict, float[] data) {
        static Parsed of(byte[] bytes) {
            assertTrue(bytes.length >= 10, "shorter than the fixed preamble");
            assertEquals((byte) 0x93, bytes[0]);
            assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII));
            assertEquals(1, bytes[6], "major version");
            assertEquals(0, bytes[7], "minor version");
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int headerLength = Short.toUnsignedInt(buf.getShort(8));
            assertEquals(0, (10 + headerLength) % 64, "preamble + header must be a multiple of 64 bytes");
            assertTrue(bytes.length >= 10 + headerLength, "file ends inside the header");
            String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
            assertTrue(header.chars().allMatch(c -> c < 128), "header must be ASCII");
            assertTrue(header.endsWith("\n"), "header must end in a newline");
            assertEquals(1, header.chars().filter(c -> c == '\n').count(), "exactly one newline");
            String dict = header.substring(0, header.length() - 1).stripTrailing();
            assertTrue(header.substring(dict.length(), header.length() - 1).chars().allMatch(c -> c == ' '),
                    "padding is spaces");
            assertTrue(dict.startsWith("{") && dict.endsWith("}"), dict);
            assertTrue(dict.contains("'descr': '<f4'"), dict);
            assertTrue(dict.contains("'fortran_order': False"), dict);
            int dataBytes = bytes.length - 10 - headerLength;
            assertEquals(0, dataBytes % 4);
            long expectedCount = elementCount(dict);
            assertEquals(expectedCount * 4, dataBytes, "data size matches the shape");
            float[] data = new float[dataBytes / 4];
            buf.position(10 + headerLength);
            buf.asFloatBuffer().get(data);
            return new Parsed(dict, data);
        }

        private static long elementCount(String dict) {
            int open = dict.indexOf("'shape': (");
            assertTrue(open >= 0, dict);
            int close = dict.indexOf(')', open);
            String dims = dict.substring(open + "'shape': (".length(), close);
            long n = 1;
            for (String d : dims.split(",")) {
                if (!d.isBlank()) {
                    n *= Long.parseLong(d.strip());
                }
            }
            return n;
        }
    }
}
