package io.circuitscope.plugins.successor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.circuitscope.spi.TokenVocabulary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** A sequence is found as its longest run of single tokens, with a leading space preferred on a tie. */
class OrdinalSequenceTest {
    private static final OrdinalSequence LETTERS = new OrdinalSequence("letters", List.of("a", "b", "c", "d", "e"));

    /** A vocabulary holding exactly the given texts. */
    private static TokenVocabulary vocabulary(Map<String, Integer> ids) {
        return new TokenVocabulary() {
            @Override
            public int[] encode(String text) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String token(int id) {
                throw new UnsupportedOperationException();
            }

            @Override
            public OptionalInt singleToken(String text) {
                Integer id = ids.get(text);
                return id == null ? OptionalInt.empty() : OptionalInt.of(id);
            }
        };
    }

    @Test
    void aRunOfExactlyThreeIsEnoughAndTwoIsNot() {
        OrdinalSequence.Found f = LETTERS.in(vocabulary(Map.of("c", 3, "d", 4, "e", 5, "a", 1))).orElseThrow();
        assertEquals(List.of("c", "d", "e"), f.items());
        assertArrayEquals(new int[] {3, 4, 5}, f.tokens());
        assertEquals("no leading space", f.spelling());
        assertEquals(Optional.empty(), LETTERS.in(vocabulary(Map.of("a", 1, "b", 2, "d", 4, "e", 5))));
    }

    @Test
    void theLongestRunWinsAndALeadingSpaceWinsATie() {
        OrdinalSequence.Found longer = LETTERS.in(vocabulary(Map.of(" a", 1, " b", 2, " c", 3, "a", 11, "b", 12,
                "c", 13, "d", 14))).orElseThrow();
        assertEquals(List.of("a", "b", "c", "d"), longer.items());
        OrdinalSequence.Found tie = LETTERS.in(vocabulary(Map.of(" a", 1, " b", 2, " c", 3, "c", 13, "d", 14,
                "e", 15))).orElseThrow();
        assertEquals("leading space", tie.spelling());
        assertArrayEquals(new int[] {1, 2, 3}, tie.tokens());
        OrdinalSequence.Found later = LETTERS.in(vocabulary(Map.of("a", 1, "b", 2, "c", 3, "e", 5, " b", 7, " c", 8,
                " d", 9, " e", 10))).orElseThrow();
        assertEquals(List.of("b", "c", "d", "e"), later.items(), "a run may start after a gap");
    }
}
