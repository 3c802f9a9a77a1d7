package io.circuitscope.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.circuitscope.core.CircuitscopeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordLevelTokenizerTest {

    private static final List<String> TOKENS =
            List.of("<bos>", "Mary", "John", "gave", "a", "book", "to", ".", ",", "!", "?", ";", ":", "Zoë");

    @TempDir
    Path dir;

    private final WordLevelTokenizer tokenizer = new WordLevelTokenizer(TOKENS);

    @Test
    void encodesWordsByLineNumber() {
        assertArrayEquals(new int[] {1, 3, 2, 4, 5}, tokenizer.encode("Mary gave John a book"));
        assertArrayEquals(new int[] {13, 1}, tokenizer.encode("  Zoë\t\nMary "));
        assertArrayEquals(new int[0], tokenizer.encode(" "));
    }

    @Test
    void punctuationBecomesSeparateTokens() {
        assertArrayEquals(new int[] {1, 8, 2, 9, 10, 11, 12, 7}, tokenizer.encode("Mary, John!?;:."));
        assertArrayEquals(new int[] {7, 7, 7}, tokenizer.encode("..."));
    }

    @Test
    void decodeJoinsWithSingleSpaces() {
        assertEquals("Mary gave a book to John .", tokenizer.decode(1, 3, 4, 5, 6, 2, 7));
        assertEquals("", tokenizer.decode());
        assertEquals(OptionalInt.of(2), tokenizer.singleToken(" John "));
    }

    @Test
    void unknownWordIsNamed() {
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> tokenizer.encode("Mary saw Zebra"));
        assertEquals("word 'saw' is not in the vocabulary of the given vocabulary (14 tokens)", e.getMessage());
    }

    @Test
    void unknownWordNamesTheFile() throws IOException {
        Path vocabTxt = Files.writeString(dir.resolve("vocab.txt"), "Mary\nJohn\n");
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> WordLevelTokenizer.read(vocabTxt, 1000).encode("Zebra"));
        assertEquals("word 'Zebra' is not in the vocabulary of " + vocabTxt + " (2 tokens)", e.getMessage());
    }

    @Test
    void decodeRejectsUnknownIds() {
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> tokenizer.decode(1, 14));
        assertEquals("token id 14 is not in the vocabulary of the given vocabulary (14 tokens)", e.getMessage());
    }

    @Test
    void readsVocabTxtIgnoringTrailingBlankLines() throws IOException {
        Path vocabTxt = Files.writeString(dir.resolve("vocab.txt"), "Mary\r\nJohn\n\n\n");
        WordLevelTokenizer read = WordLevelTokenizer.read(vocabTxt, 1000);
        assertEquals(2, read.vocabSize());
        assertArrayEquals(new int[] {1, 0}, read.encode("John Mary"));
        assertEquals("word-level vocab.txt (2 tokens)", read.description());
    }

    @Test
    void duplicateTokenNamesFileAndLine() throws IOException {
        assertEquals(dir.resolve("vocab.txt") + " line 3: duplicate token 'Mary' (already id 0)",
                refusal("Mary\nJohn\nMary\n", 1000));
    }

    @Test
    void blankLineInsideTheFileIsRejected() throws IOException {
        assertEquals(dir.resolve("vocab.txt") + " line 2: token '' is empty or contains whitespace",
                refusal("Mary\n\nJohn\n", 1000));
    }

    @Test
    void tokensWithWhitespaceAreRejected() {
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> new WordLevelTokenizer(List.of("a", "b c")));
        assertEquals("the given vocabulary, id 1: token 'b c' is empty or contains whitespace", e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        Path vocabTxt = dir.resolve("vocab.txt");
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> WordLevelTokenizer.read(vocabTxt, 1000));
        assertEquals(vocabTxt + ": file not found", e.getMessage());
    }

    @Test
    void writeThenReadRoundTrips() throws IOException {
        Path vocabTxt = dir.resolve("model/vocab.txt");
        tokenizer.write(vocabTxt);
        tokenizer.write(vocabTxt);
        assertEquals(String.join("\n", TOKENS) + "\n", Files.readString(vocabTxt, StandardCharsets.UTF_8));
        try (var files = Files.list(vocabTxt.getParent())) {
            assertEquals(List.of(vocabTxt), files.toList(), "no temporary file is left behind");
        }
        WordLevelTokenizer read = WordLevelTokenizer.read(vocabTxt, 1000);
        assertEquals(TOKENS.size(), read.vocabSize());
        assertArrayEquals(tokenizer.encode("Zoë gave Mary a book."), read.encode("Zoë gave Mary a book."));
    }

    @Test
    void byteOrderMarkIsNotPartOfTheFirstToken() throws IOException {
        Path vocabTxt = Files.write(dir.resolve("vocab.txt"), "\uFEFFMary\nJohn\n".getBytes(StandardCharsets.UTF_8));
        WordLevelTokenizer read = WordLevelTokenizer.read(vocabTxt, 1000);
        assertArrayEquals(new int[] {0, 1}, read.encode("Mary John"));
        assertEquals("word-level vocab.txt (2 tokens)", read.description());
    }

    @Test
    void aFileCutOffInsideItsLastTokenIsRefused() throws IOException {
        Path vocabTxt = Files.writeString(dir.resolve("vocab.txt"), "Mary\nJohn\nMich");
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> WordLevelTokenizer.read(vocabTxt, 3));
        assertEquals(vocabTxt + ": the last line ('Mich') does not end with a newline; the file looks truncated",
                e.getMessage());
    }

    @Test
    void moreTokensThanTheModelHasIdsAreRefused() throws IOException {
        assertEquals(dir.resolve("vocab.txt") + ": 3 tokens, but the model's vocabulary has only 2",
                refusal("Mary\nJohn\nMichael\n", 2));
    }

    @Test
    void anEmptyFileIsRefused() throws IOException {
        Path vocabTxt = Files.writeString(dir.resolve("vocab.txt"), "");
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> WordLevelTokenizer.read(vocabTxt, 2));
        assertEquals(vocabTxt + ": empty file; expected one token per line", e.getMessage());
    }

    @Test
    void aFileThatIsNotUtf8IsNamedWithTheLine() throws IOException {
        Path vocabTxt = Files.write(dir.resolve("vocab.txt"), new byte[] {'a', '\n', 'b', (byte) 0xC3, '\n'});
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> WordLevelTokenizer.read(vocabTxt, 9));
        assertEquals(vocabTxt + ": not UTF-8 (byte 0xc3 at offset 3, line 2)", e.getMessage());
    }

    @Test
    void windowsLineEndingsReadTheSameTokens() throws IOException {
        Path vocabTxt = Files.writeString(dir.resolve("vocab.txt"), "Mary\r\nJohn\r\n");
        assertArrayEquals(new int[] {1, 0}, WordLevelTokenizer.read(vocabTxt, 2).encode("John Mary"));
    }

    @Test
    void decodeAcceptsIdZeroAndRejectsNegativeIds() {
        assertEquals("<bos>", tokenizer.decode(0));
        assertEquals("<bos> Mary Zoë", tokenizer.decode(0, 1, 13));
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> tokenizer.decode(0, -1));
        assertEquals("token id -1 is not in the vocabulary of the given vocabulary (14 tokens)", e.getMessage());
    }

    @Test
    void singleTokenIsEmptyForAWordOutsideTheVocabularyInsteadOfThrowing() {
        assertEquals(OptionalInt.of(1), tokenizer.singleToken(" Mary"));
        assertEquals(OptionalInt.empty(), tokenizer.singleToken("Monday"));
        assertEquals(OptionalInt.empty(), tokenizer.singleToken("Mary Mary"));
        assertEquals(OptionalInt.empty(), tokenizer.singleToken(" "));
    }

    /** Writes {@code content} as vocab.txt and returns the message it is refused with. */
    private String refusal(String content, int maxTokens) throws IOException {
        Path vocabTxt = Files.writeString(dir.resolve("vocab.txt"), content);
        return assertThrows(CircuitscopeException.class, () -> WordLevelTokenizer.read(vocabTxt, maxTokens))
                .getMessage();
    }
}
