package io.circuitscope.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A prompt assembled from pieces gets the ids the whole text gets: SentencePiece-style tokenizers (Llama, Mistral)
 * mark the start of every text they encode, so a piece in mid-sentence is encoded as a continuation.
 */
class ContinuationEncodingTest {
    private static final String START = "When";
    private static final String REST = " Mary and John went to the store, John gave a drink to";

    private static TokenizerJsonTokenizer tokenizer(String fixture) throws URISyntaxException {
        Path file = Path.of(ContinuationEncodingTest.class.getResource("/hf-arch/" + fixture + "/tokenizer.json")
                .toURI());
        return TokenizerJsonTokenizer.read(file, 352);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pythia", "llama", "qwen2"})
    void aStartAndItsContinuationMakeTheWholeText(String fixture) throws URISyntaxException {
        try (TokenizerJsonTokenizer t = tokenizer(fixture)) {
            int[] pieces = IntStream.concat(IntStream.of(t.encode(START)), IntStream.of(t.encodeContinuation(REST)))
                    .toArray();
            assertArrayEquals(t.encode(START + REST), pieces);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pythia", "llama", "qwen2"})
    void aNameWithItsSpaceIsTheTokenItIsMidSentence(String fixture) throws URISyntaxException {
        try (TokenizerJsonTokenizer t = tokenizer(fixture)) {
            OptionalInt mary = t.singleToken(" Mary");
            int[] sentence = t.encode("When Mary");
            assertEquals(OptionalInt.of(sentence[sentence.length - 1]), mary);
            if (fixture.equals("llama")) {
                // Alone, " Mary" is a word-boundary marker and then "▁Mary": two tokens.
                assertNotEquals(1, t.encode(" Mary").length);
            } else {
                assertArrayEquals(t.encode(" Mary"), t.encodeContinuation(" Mary"));
            }
        }
    }
}
