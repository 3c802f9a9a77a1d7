package io.circuitscope.core.tokenizer;

import io.circuitscope.core.CircuitscopeException;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gpt2BpeTokenizerTest {

    private final Tokenizer gpt2 = new Gpt2BpeTokenizer();

    @Test
    void encodesKnownGpt2Ids() {
        assertArrayEquals(new int[] {15496, 995}, gpt2.encode("Hello world"));
        assertArrayEquals(new int[] {464, 2068, 7586, 21831}, gpt2.encode("The quick brown fox"));
    }

    @Test
    void specialTokenTextIsEncodedAsOrdinaryText() {
        int[] ids = gpt2.encode("<|endoftext|>");
        assertTrue(ids.length > 1, "expected several ordinary tokens, got " + ids.length);
        assertEquals("<|endoftext|>", gpt2.decode(50256));
    }

    @Test
    void namesWithLeadingSpaceAreSingleTokens() {
        assertEquals(OptionalInt.of(5335), gpt2.singleToken(" Mary"));
        assertTrue(gpt2.singleToken(" Mary and John").isEmpty());
    }

    @Test
    void decodeRoundTripsText() {
        String text = "When Mary and John went to the store, John gave a drink to Mary. Ünïcödé ✓ 123";
        assertEquals(text, gpt2.decode(gpt2.encode(text)));
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> gpt2.decode(15496, 50257));
        assertEquals("token id 50257 is outside the GPT-2 vocabulary [0, 50257)", e.getMessage());
        assertThrows(CircuitscopeException.class, () -> gpt2.decode(-1));
    }

    @Test
    void describesItself() {
        assertEquals(50257, gpt2.vocabSize());
        assertEquals("GPT-2 BPE (r50k_base)", gpt2.description());
    }

    @Test
    void decodeAcceptsIdZeroAndTheLastIdButNoNegativeOne() {
        assertEquals("!", gpt2.decode(0));
        assertEquals("!<|endoftext|>", gpt2.decode(0, 50256));
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> gpt2.decode(0, -1));
        assertEquals("token id -1 is outside the GPT-2 vocabulary [0, 50257)", e.getMessage());
    }
}
