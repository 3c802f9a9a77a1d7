package io.circuitscope.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.CircuitscopeException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON files a model source reads: one object, nothing after it, no repeated keys, strict UTF-8, bounded size. */
class StrictJsonTest {
    @TempDir
    Path dir;

    @Test
    void readsOneObjectWithTrailingWhitespace() throws IOException {
        Path file = Files.writeString(dir.resolve("c.json"), "{\"a\": [1, 2]}\n\n ");
        assertEquals(2, StrictJson.readObject(file, 100).get("a").size());
        // As in Python's json module, a byte-order mark is not JSON.
        Path bom = Files.writeString(dir.resolve("bom.json"), "\uFEFF{}");
        assertTrue(failure(bom, 100).contains("0xfeff"));
    }

    @Test
    void contentAfterTheObjectIsRefused() throws IOException {
        for (String text : new String[] {"{}xyz", "{}{}", "{}\u0000\u0000", "{} 1"}) {
            Path file = Files.writeString(dir.resolve("c.json"), text);
            String msg = failure(file, 100);
            assertTrue(msg.startsWith(file + ": not valid JSON ("), msg);
        }
    }

    @Test
    void repeatedKeysAreRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("c.json"), "{\"n\": 1,\n \"n\": 2}");
        assertEquals(file + ": not valid JSON (Duplicate field 'n' at line 2, column 5)", failure(file, 100));
    }

    @Test
    void emptyAndNonObjectFilesAreRefused() throws IOException {
        assertEquals(dir.resolve("e.json") + ": empty file; expected a JSON object",
                failure(Files.writeString(dir.resolve("e.json"), " \n"), 100));
        assertEquals(dir.resolve("a.json") + ": expected a JSON object, got array",
                failure(Files.writeString(dir.resolve("a.json"), "[1]"), 100));
    }

    @Test
    void invalidUtf8IsNamedWithItsLine() throws IOException {
        Path file = Files.write(dir.resolve("c.json"), new byte[] {'{', '\n', '"', (byte) 0xff, '"', ':', '1', '}'});
        assertEquals(file + ": not UTF-8 (byte 0xff at offset 3, line 2)", failure(file, 100));
    }

    @Test
    void aFileOverTheLimitIsRefusedWithoutReadingIt() throws IOException {
        Path file = dir.resolve("huge.json");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(1L << 40); // sparse: a terabyte that was never written
        }
        assertEquals(file + ": 1099511627776 bytes is larger than the 16777216-byte limit for this kind of file; it is"
                + " not the file expected here", failure(file, StrictJson.SMALL_FILE_LIMIT));
        Path exact = Files.writeString(dir.resolve("exact.json"), "{}");
        assertEquals(0, StrictJson.readObject(exact, 2).size());
        assertTrue(failure(exact, 1).contains("2 bytes is larger than the 1-byte limit"));
    }

    private static String failure(Path file, long limit) {
        return assertThrows(CircuitscopeException.class, () -> StrictJson.readObject(file, limit)).getMessage();
    }
}
