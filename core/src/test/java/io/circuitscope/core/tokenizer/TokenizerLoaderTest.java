package io.circuitscope.core.tokenizer;

import io.circuitscope.core.CircuitscopeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerLoaderTest {

    @TempDir
    Path dir;

    private static String describe(Optional<Tokenizer> tokenizer) {
        return tokenizer.map(Tokenizer::description).orElse("none");
    }

    @Test
    void tokenizerJsonComesFirst() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), ByteLevelFixture.MERGES);
        ByteLevelFixture.writeTokenizerJson(dir, false);
        assertEquals("byte-level BPE from tokenizer.json (267 tokens)",
                describe(TokenizerLoader.forHfDirectory(dir, 50257)));
    }

    @Test
    void vocabAndMergesComeNext() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), ByteLevelFixture.MERGES);
        assertEquals("byte-level BPE from vocab.json + merges.txt (267 tokens)",
                describe(TokenizerLoader.forHfDirectory(dir, 267)));
    }

    @Test
    void gpt2BpeIsTheFallbackOnlyForGpt2SizedVocabularies() throws IOException {
        assertInstanceOf(Gpt2BpeTokenizer.class, TokenizerLoader.forHfDirectory(dir, 50257).orElseThrow());
        assertTrue(TokenizerLoader.forHfDirectory(dir, 1000).isEmpty());
        // vocab.json alone is half a tokenizer, so it is not used.
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), ByteLevelFixture.MERGES);
        Files.delete(dir.resolve("merges.txt"));
        assertInstanceOf(Gpt2BpeTokenizer.class, TokenizerLoader.forHfDirectory(dir, 50257).orElseThrow());
        assertTrue(TokenizerLoader.forHfDirectory(dir, 1000).isEmpty());
    }

    @Test
    void tokenizerLargerThanTheModelIsRejected() throws IOException {
        ByteLevelFixture.writeTokenizerJson(dir, false);
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> TokenizerLoader.forHfDirectory(dir, 100));
        assertEquals(dir + ": the tokenizer (byte-level BPE from tokenizer.json (267 tokens)) has ids up to 266,"
                + " but the model's vocab_size is 100", e.getMessage());
    }

    @Test
    void nativeDirectoryUsesVocabTxt() throws IOException {
        assertTrue(TokenizerLoader.forNativeDirectory(dir).isEmpty());
        Files.writeString(dir.resolve("vocab.txt"), "Mary\nJohn\n");
        assertEquals("word-level vocab.txt (2 tokens)", describe(TokenizerLoader.forNativeDirectory(dir)));
    }

    @Test
    void nativeResourceReadsVocabTxtFromTheClasspath() {
        Tokenizer tokenizer = TokenizerLoader.forNativeResource("io/circuitscope/core/tokenizer/toy").orElseThrow();
        assertEquals("word-level classpath:io/circuitscope/core/tokenizer/toy/vocab.txt (3 tokens)",
                tokenizer.description());
        assertEquals("John Mary .", tokenizer.decode(tokenizer.encode("John Mary.")));
    }

    @Test
    void nativeResourceIsEmptyWhenAbsent() {
        assertTrue(TokenizerLoader.forNativeResource("io/circuitscope/no-such-model").isEmpty());
    }
}
