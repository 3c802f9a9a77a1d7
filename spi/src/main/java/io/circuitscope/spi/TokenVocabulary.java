package io.circuitscope.spi;

import java.util.OptionalInt;

/** The model's tokenizer, in ids: detectors never decode and re-tokenize. */
public interface TokenVocabulary {
    int[] encode(String text);

    /** The text of one token, for display. */
    String token(int id);

    /** The id of {@code text} when it is exactly one token. */
    OptionalInt singleToken(String text);
}
