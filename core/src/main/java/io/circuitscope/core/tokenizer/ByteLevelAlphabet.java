package io.circuitscope.core.tokenizer;

/**
 * GPT-2's mapping ({@code bytes_to_unicode}) of the 256 byte values to printable characters, which byte-level BPE
 * vocabularies use to spell tokens; e.g. the space byte is spelled "Ġ".
 */
final class ByteLevelAlphabet {

    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        // Printable Latin-1 bytes stand for themselves; the others take 256, 257, ... in byte order, as in GPT-2.
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = (char) (printable ? b : next++);
        }
    }

    private ByteLevelAlphabet() {
    }

    /** The character that spells byte {@code b} (0..255). */
    static char charFor(int b) {
        return BYTE_TO_CHAR[b];
    }
}
