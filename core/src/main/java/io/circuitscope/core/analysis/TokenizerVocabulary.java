package io.circuitscope.core.analysis;

import io.circuitscope.core.tokenizer.Tokenizer;
import io.circuitscope.spi.TokenVocabulary;
import java.util.OptionalInt;

/** A model's tokenizer as the SPI's {@link TokenVocabulary}. */
public final class TokenizerVocabulary implements TokenVocabulary {
    private final Tokenizer tokenizer;

    public TokenizerVocabulary(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    @Override
    public int[] encode(String text) {
        return tokenizer.encode(text);
    }

    @Override
    public String token(int id) {
        return tokenizer.decode(id);
    }

    @Override
    public OptionalInt singleToken(String text) {
        return tokenizer.singleToken(text);
    }
}
