package io.circuitscope.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.CircuitscopeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    }

    @Test
    void halfAByteLevelTokenizerIsABrokenDownloadNotAFallback() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), ByteLevelFixture.MERGES);
        Files.delete(dir.resolve("merges.txt"));
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> TokenizerLoader.forHfDirectory(dir, 50257));
        assertEquals(dir.resolve("merges.txt") + ": file not found (it comes with vocab.json)", e.getMessage());
    }

    @Test
    void tokenizerLargerThanTheModelIsRejected() throws IOException {
        ByteLevelFixture.writeTokenizerJson(dir, false);
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> TokenizerLoader.forHfDirectory(dir, 100));
        assertEquals(dir.resolve("tokenizer.json") + " model.vocab: token '§' has id 100, but the model's vocabulary"
                + " has only 100 ids (0..99)", e.getMessage());
    }

    @Test
    void nativeDirectoryUsesVocabTxt() throws IOException {
        assertTrue(TokenizerLoader.forNativeDirectory(dir, 2).isEmpty());
        Files.writeString(dir.resolve("vocab.txt"), "Mary\nJohn\n");
        assertEquals("word-level vocab.txt (2 tokens)", describe(TokenizerLoader.forNativeDirectory(dir, 2)));
    }

    @Test
    void mergesWithoutVocabIsABrokenDownloadToo() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), ByteLevelFixture.MERGES);
        Files.delete(dir.resolve("vocab.json"));
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> TokenizerLoader.forHfDirectory(dir, 50257));
        assertEquals(dir.resolve("vocab.json") + ": file not found (it comes with merges.txt)", e.getMessage());
    }

    @Test
    void nativeVocabTxtMustNameEveryId() throws IOException {
        Path vocabTxt = Files.writeString(dir.resolve("vocab.txt"), "Mary\nJohn\n");
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> TokenizerLoader.forNativeDirectory(dir, 3));
        assertEquals(vocabTxt + ": 2 tokens, but the model's d_vocab is 3; vocab.txt lists one token for every id, so"
                + " it is truncated or belongs to another model", e.getMessage());
    }
}
