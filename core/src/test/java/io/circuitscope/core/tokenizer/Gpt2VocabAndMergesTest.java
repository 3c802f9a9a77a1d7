package io.circuitscope.core.tokenizer;

import static io.circuitscope.core.tokenizer.ByteLevelFixture.END_OF_TEXT;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.EXCLAMATION;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.HELLO;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.LIMIT;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.MERGES;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SENTENCE;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SENTENCE_IDS;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SPACE_WORLD;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.VOCAB_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.CircuitscopeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** GPT-2's vocab.json + merges.txt, read through the HF tokenizers library as GPT2TokenizerFast reads them. */
class Gpt2VocabAndMergesTest {


    @TempDir
    Path dir;

    @RegisterExtension
    final OpenedTokenizers opened = new OpenedTokenizers();

    private TokenizerJsonTokenizer fromFiles() {
        TokenizerJsonTokenizer tokenizer = TokenizerJsonTokenizer.fromVocabAndMerges(dir.resolve("vocab.json"),
                dir.resolve("merges.txt"), LIMIT);
        opened.keep(tokenizer);
        return tokenizer;
    }

    private TokenizerJsonTokenizer fixture() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), MERGES);
        return fromFiles();
    }

    private CircuitscopeException refused() {
        return assertThrows(CircuitscopeException.class, this::fromFiles);
    }

    private Path writeMergesTxt(String... lines) throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), MERGES);
        return Files.writeString(dir.resolve("merges.txt"), String.join("\n", lines) + "\n");
    }

    private int id(String token) {
        return ByteLevelFixture.vocab().get(token);
    }

    @Test
    void vocabAndMergesEncodeASentence() throws IOException {
        TokenizerJsonTokenizer tokenizer = fixture();
        assertArrayEquals(SENTENCE_IDS, tokenizer.encode(SENTENCE));
        assertEquals(SENTENCE, tokenizer.decode(SENTENCE_IDS));
        assertEquals(VOCAB_SIZE, tokenizer.vocabSize());
        assertEquals("byte-level BPE from vocab.json + merges.txt (267 tokens)", tokenizer.description());
    }

    @Test
    void unmergedTextFallsBackToByteTokens() throws IOException {
        TokenizerJsonTokenizer tokenizer = fixture();
        assertArrayEquals(new int[] {id("h"), id("i")}, tokenizer.encode("hi"));
        // "é" is two UTF-8 bytes, c3 a9, each spelled by its own byte-level character.
        assertArrayEquals(new int[] {id("Ã"), id("©")}, tokenizer.encode("é"));
        String text = "héllo, wörld ✓\n\tdone";
        assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
    }

    @Test
    void singleTokenFindsMergedWords() throws IOException {
        TokenizerJsonTokenizer tokenizer = fixture();
        assertEquals(OptionalInt.of(SPACE_WORLD), tokenizer.singleToken(" world"));
        assertTrue(tokenizer.singleToken(" hi").isEmpty());
    }

    @Test
    void endOfTextDecodesButItsSpellingIsPlainText() throws IOException {
        TokenizerJsonTokenizer tokenizer = fixture();
        assertEquals("<|endoftext|>", tokenizer.decode(END_OF_TEXT));
        // GPT-2's pre-tokenizer splits it into "<|", "endoftext" and "|>", and no merge joins their bytes.
        int[] bytes = "<|endoftext|>".chars().map(c -> id(String.valueOf((char) c))).toArray();
        assertArrayEquals(bytes, tokenizer.encode("<|endoftext|>"));
    }

    @Test
    void mergesApplyInFileOrderWhateverTheirIds() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("bc", VOCAB_SIZE);
        vocab.put("ab", VOCAB_SIZE + 1);
        List<String> merges = new ArrayList<>(MERGES);
        merges.add("a b");
        merges.add("b c");
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, merges);
        // "a b" comes first in merges.txt, so it wins although "bc" has the lower id (which tiktoken would rank first).
        assertArrayEquals(new int[] {VOCAB_SIZE + 1, id("c")}, fromFiles().encode("abc"));
    }

    @Test
    void mergeResultMissingFromVocabIsRejected() throws IOException {
        List<String> merges = new ArrayList<>(MERGES);
        merges.add("d !");
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), merges);
        assertEquals(dir.resolve("merges.txt") + " line 12: merge 'd !' makes 'd!', which is not in the vocabulary ("
                + dir.resolve("vocab.json") + ")", refused().getMessage());
    }

    @Test
    void mergeOfATokenMissingFromVocabIsRejected() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("h\u0200", VOCAB_SIZE);
        List<String> merges = new ArrayList<>(MERGES);
        merges.add("h \u0200");
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, merges);
        assertEquals(dir.resolve("merges.txt") + " line 12: merge 'h \u0200' joins '\u0200', which is not in the"
                + " vocabulary (" + dir.resolve("vocab.json") + ")", refused().getMessage());
    }

    @Test
    void malformedMergeLineIsRejected() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), List.of("h e", "hel"));
        assertEquals(dir.resolve("merges.txt") + " line 3: expected two tokens separated by one space, got 'hel'",
                refused().getMessage());
    }

    @Test
    void mergeLinesWithAnEmptyHalfAreRejected() throws IOException {
        for (String bad : List.of(" e", "h ", "h  e", "h e l")) {
            Path mergesTxt = writeMergesTxt("#version: 0.2", bad);
            assertEquals(mergesTxt + " line 2: expected two tokens separated by one space, got '" + bad + "'",
                    refused().getMessage(), bad);
        }
    }

    @Test
    void aRepeatedMergeIsRejected() throws IOException {
        List<String> merges = new ArrayList<>(MERGES);
        merges.add(1, "h e");
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), merges);
        Path mergesTxt = dir.resolve("merges.txt");
        assertEquals(mergesTxt + " line 3: merge 'h e' repeats " + mergesTxt + " line 2", refused().getMessage());
    }

    @Test
    void vocabWithoutEveryByteIsRejected() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.remove("Ġ");
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, List.of());
        assertEquals(dir.resolve("vocab.json") + " has no token 'Ġ' for byte 0x20, so text with that byte would lose"
                + " it; it is not a complete byte-level BPE vocabulary", refused().getMessage());
    }

    @Test
    void duplicateIdsAreRejected() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("<|endoftext|>", HELLO);
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, MERGES);
        assertEquals(dir.resolve("vocab.json") + ": tokens 'hello' and '<|endoftext|>' both have id 259",
                refused().getMessage());
    }

    @Test
    void malformedJsonNamesTheFile() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0,");
        Files.writeString(dir.resolve("merges.txt"), "");
        String message = refused().getMessage();
        assertTrue(message.startsWith(dir.resolve("vocab.json") + ": not valid JSON ("), message);
    }

    @Test
    void missingMergesTxtIsNamed() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), MERGES);
        Files.delete(dir.resolve("merges.txt"));
        assertEquals(dir.resolve("merges.txt") + ": file not found", refused().getMessage());
    }

    @Test
    void truncatedMergesTxtIsRefusedInsteadOfRetokenizing() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), MERGES.subList(0, 7));
        assertEquals(dir.resolve("merges.txt") + ": the merges are incomplete or truncated: 3 vocabulary tokens of "
                + dir.resolve("vocab.json") + " (ids 263 and up, e.g. 'worl') are made by no merge, so text would be"
                + " tokenized differently", refused().getMessage());
    }

    @Test
    void emptyMergesAreRefused() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), List.of());
        Files.writeString(dir.resolve("merges.txt"), "");
        String message = refused().getMessage();
        assertTrue(message.contains(": the merges are incomplete or truncated: 10 vocabulary tokens"), message);
    }

    @Test
    void specialTokensNeedNoMerge() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("<|padding|>", VOCAB_SIZE);
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, MERGES);
        TokenizerJsonTokenizer tokenizer = fromFiles();
        assertEquals(VOCAB_SIZE + 1, tokenizer.vocabSize());
        assertEquals("<|padding|>", tokenizer.decode(VOCAB_SIZE));
    }

    @Test
    void hugeIdsAreRefusedBeforeAnythingIsSizedByThem() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("hello", Integer.MAX_VALUE - 1);
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, MERGES);
        assertEquals(dir.resolve("vocab.json") + ": token 'hello' has id 2147483646, but the model's vocabulary has"
                + " only 1000 ids (0..999)", refused().getMessage());
    }

    @Test
    void idsMustBeNonNegativeIntegers() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("x!", -1);
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, MERGES);
        assertEquals(dir.resolve("vocab.json") + ": token 'x!' has id -1; ids must be non-negative integers",
                refused().getMessage());
    }

    @Test
    void mergesThatAreNotUtf8AreNamedWithTheirLine() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), MERGES);
        byte[] bytes = Files.readAllBytes(dir.resolve("merges.txt"));
        bytes[20] = (byte) 0xff;
        Files.write(dir.resolve("merges.txt"), bytes);
        assertEquals(dir.resolve("merges.txt") + ": not UTF-8 (byte 0xff at offset 20, line 3)",
                refused().getMessage());
    }

    @Test
    void decodeAcceptsEveryIdFromZeroToTheLastAndNoOther() throws IOException {
        TokenizerJsonTokenizer tokenizer = fixture();
        assertEquals("!", tokenizer.decode(EXCLAMATION));
        assertEquals("<|endoftext|>", tokenizer.decode(VOCAB_SIZE - 1));
        Path vocabJson = dir.resolve("vocab.json");
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> tokenizer.decode(VOCAB_SIZE));
        assertEquals("token id 267 is not in the vocabulary of " + vocabJson + " (267 tokens)", e.getMessage());
        e = assertThrows(CircuitscopeException.class, () -> tokenizer.decode(HELLO, -1));
        assertEquals("token id -1 is not in the vocabulary of " + vocabJson + " (267 tokens)", e.getMessage());
    }

    @Test
    void onlyTheFirstLineMayBeAVersionHeaderAndBlankLinesAreSkipped() throws IOException {
        List<String> lines = new ArrayList<>(List.of("#version: 0.2", ""));
        lines.addAll(MERGES.subList(0, 5));
        lines.add("   ");
        lines.addAll(MERGES.subList(5, 10));
        writeMergesTxt(lines.toArray(String[]::new));
        assertArrayEquals(SENTENCE_IDS, fromFiles().encode(SENTENCE));

        Path mergesTxt = writeMergesTxt("h e", "#version: 0.2");
        assertEquals(mergesTxt + " line 2: merge '#version: 0.2' joins '#version:', which is not in the vocabulary ("
                + dir.resolve("vocab.json") + ")", refused().getMessage());
    }

    @Test
    void mergesTxtWithoutAVersionHeaderKeepsItsFirstMerge() throws IOException {
        writeMergesTxt(MERGES.toArray(String[]::new));
        TokenizerJsonTokenizer tokenizer = fromFiles();
        assertArrayEquals(SENTENCE_IDS, tokenizer.encode(SENTENCE));
        assertArrayEquals(new int[] {256}, tokenizer.encode("he"));
    }

    @Test
    void crlfLineEndingsReadTheSame() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), MERGES);
        Path mergesTxt = dir.resolve("merges.txt");
        Files.writeString(mergesTxt, Files.readString(mergesTxt).replace("\n", "\r\n"));
        assertArrayEquals(SENTENCE_IDS, fromFiles().encode(SENTENCE));
    }
}
