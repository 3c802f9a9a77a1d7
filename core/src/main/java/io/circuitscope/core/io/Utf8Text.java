package io.circuitscope.core.io;

import io.circuitscope.core.CircuitscopeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a small text file as strict UTF-8, size-capped before anything is allocated, so a malformed byte is reported
 * with its line rather than replaced, and a huge file is refused rather than read into memory.
 */
public final class Utf8Text {
    private Utf8Text() {
    }

    /**
     * The whole content of {@code file}, decoded as UTF-8.
     *
     * @param maxBytes the largest file accepted; larger ones are refused before reading
     * @throws CircuitscopeException if the file is not a regular file, is too large, or is not valid UTF-8
     */
    public static String read(Path file, long maxBytes) {
        InputFile.requireRegular(file, "");
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new CircuitscopeException(file + ": " + size + " bytes is larger than the " + maxBytes
                        + "-byte limit for this kind of file; it is not the file expected here");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CircuitscopeException(file + ": cannot read: " + IoFailure.describe(e), e);
        }
        return decode(bytes, file.toString());
    }

    private static String decode(byte[] bytes, String label) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int at = in.position();
            throw new CircuitscopeException(String.format("%s: not UTF-8 (byte 0x%02x at offset %d, line %d)",
                    label, bytes[at] & 0xff, at, lineOf(bytes, at)));
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    private static int lineOf(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }
}
