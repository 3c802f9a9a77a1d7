package io.circuitscope.core.tokenizer;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * GPT-2's reversible mapping ({@code bytes_to_unicode}) between the 256 byte values and printable characters, which
 * byte-level BPE files use to spell tokens; e.g. the space byte is spelled "Ġ".
 */
final class ByteLevelAlphabet {

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[256 + 256];

    static {
        // Printable Latin-1 bytes stand for themselves; the others take 256, 257, ... in byte order, as in GPT-2.
        Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelAlphabet() {
    }

    /** The character that spells byte {@code b} (0..255). */
    static char charFor(int b) {
        return BYTE_TO_CHAR[b];
    }

    /** The bytes a token spells, or empty when a character lies outside the alphabet (e.g. a literal special token). */
    static Optional<byte[]> bytesOf(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[c] < 0) {
                return Optional.empty();
            }
            out.write(CHAR_TO_BYTE[c]);
        }
        return Optional.of(out.toByteArray());
    }
}
