package io.circuitscope.wiki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.circuitscope.spi.TokenVocabulary;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TokenLabelsTest {
    private static final Map<Integer, String> WORDS = Map.of(1, " Mary", 2, "a\nb\tc\u0001", 3, "");

    private static final TokenVocabulary VOCAB = new TokenVocabulary() {
        @Override
        public int[] encode(String text) {
            return new int[0];
        }

        @Override
        public String token(int id) {
            if (!WORDS.containsKey(id)) {
                throw new IllegalArgumentException("no token " + id);
            }
            return WORDS.get(id);
        }

        @Override
        public OptionalInt singleToken(String text) {
            return OptionalInt.empty();
        }
    };

    @Test
    void whitespaceAndControlCharactersAreVisibleAndUnknownIdsShowTheirNumber() {
        TokenLabels t = new TokenLabels(Optional.of(VOCAB), 0);
        assertEquals("<BOS>", t.label(0));
        assertEquals("\u00b7Mary", t.label(1));
        assertEquals("a\\nb\\tc\\x01", t.label(2));
        assertEquals("#3", t.label(3), "an empty token shows its id");
        assertEquals("#9", t.label(9));
        assertEquals("<BOS> | \u00b7Mary", t.prompt(new int[] {0, 1}));
        assertEquals("#0 | #4", new TokenLabels(Optional.empty(), -1).prompt(new int[] {0, 4}));
    }
}
