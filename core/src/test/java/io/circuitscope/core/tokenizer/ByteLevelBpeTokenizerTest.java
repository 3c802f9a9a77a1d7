package io.circuitscope.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.CircuitscopeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;

import static io.circuitscope.core.tokenizer.ByteLevelFixture.END_OF_TEXT;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.EXCLAMATION;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.HELLO;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.MERGES;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SPACE_HELLO;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SPACE_WORLD;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.VOCAB_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteLevelBpeTokenizerTest {

    /** A model vocabulary comfortably larger than the fixture's ids. */
    private static final int LIMIT = 1000;
    private static final String SENTENCE = "hello hello world!";
    private static final int[] SENTENCE_IDS = {HELLO, SPACE_HELLO, SPACE_WORLD, EXCLAMATION};

    @TempDir
    Path dir;

    private ByteLevelBpeTokenizer fromVocabAndMerges() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), MERGES);
        return ByteLevelBpeTokenizer.fromVocabAndMerges(dir.resolve("vocab.json"), dir.resolve("merges.txt"), LIMIT);
    }

    private static CircuitscopeException failsToLoad(Path tokenizerJson) {
        return assertThrows(CircuitscopeException.class, () -> ByteLevelBpeTokenizer.fromTokenizerJson(tokenizerJson, LIMIT));
    }

    @Test
    void vocabAndMergesEncodeASentence() throws IOException {
        ByteLevelBpeTokenizer tokenizer = fromVocabAndMerges();
        assertArrayEquals(SENTENCE_IDS, tokenizer.encode(SENTENCE));
        assertEquals(SENTENCE, tokenizer.decode(SENTENCE_IDS));
        assertEquals(VOCAB_SIZE, tokenizer.vocabSize());
        assertEquals("byte-level BPE from vocab.json + merges.txt (267 tokens)", tokenizer.description());
    }

    @Test
    void unmergedTextFallsBackToByteTokens() throws IOException {
        ByteLevelBpeTokenizer tokenizer = fromVocabAndMerges();
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        assertArrayEquals(new int[] {vocab.get("h"), vocab.get("i")}, tokenizer.encode("hi"));
        // "é" is two UTF-8 bytes, c3 a9, each spelled by its own byte-level character.
        assertArrayEquals(new int[] {vocab.get("Ã"), vocab.get("©")}, tokenizer.encode("é"));
        String text = "héllo, wörld ✓\n\tdone";
        assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
    }

    @Test
    void singleTokenFindsMergedWords() throws IOException {
        ByteLevelBpeTokenizer tokenizer = fromVocabAndMerges();
        assertEquals(OptionalInt.of(SPACE_WORLD), tokenizer.singleToken(" world"));
        assertTrue(tokenizer.singleToken(" hi").isEmpty());
    }

    @Test
    void specialTokensDecodeButAreNotEncoded() throws IOException {
        ByteLevelBpeTokenizer tokenizer = fromVocabAndMerges();
        assertEquals("<|endoftext|>", tokenizer.decode(END_OF_TEXT));
        assertTrue(tokenizer.encode("<|endoftext|>").length > 1);
    }

    @Test
    void tokenizerJsonWithStringMergesMatchesVocabAndMerges() throws IOException {
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.fromTokenizerJson(
                ByteLevelFixture.writeTokenizerJson(dir, false), LIMIT);
        assertArrayEquals(SENTENCE_IDS, tokenizer.encode(SENTENCE));
        assertEquals(SENTENCE, tokenizer.decode(SENTENCE_IDS));
        assertEquals("byte-level BPE from tokenizer.json (267 tokens)", tokenizer.description());
    }

    @Test
    void tokenizerJsonWithPairMergesMatchesVocabAndMerges() throws IOException {
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.fromTokenizerJson(
                ByteLevelFixture.writeTokenizerJson(dir, true), LIMIT);
        assertArrayEquals(SENTENCE_IDS, tokenizer.encode(SENTENCE));
    }

    @Test
    void addedTokensOutsideTheModelVocabDecode() throws IOException {
        Path file = ByteLevelFixture.writeTokenizerJson(dir, false);
        ObjectNode root = ByteLevelFixture.readTree(file);
        ((ArrayNode) root.get("added_tokens")).addObject().put("id", 300).put("content", "<pad> token");
        ByteLevelFixture.writeTree(file, root);
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.fromTokenizerJson(file, LIMIT);
        assertEquals(301, tokenizer.vocabSize());
        assertEquals("hello<pad> token", tokenizer.decode(HELLO, 300));
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> tokenizer.decode(290));
        assertEquals("token id 290 is not in the vocabulary of " + file + " (301 tokens)", e.getMessage());
    }

    @Test
    void nfcNormalizerIsApplied() throws IOException {
        Path file = ByteLevelFixture.writeTokenizerJson(dir, false);
        ObjectNode root = ByteLevelFixture.readTree(file);
        root.putObject("normalizer").put("type", "NFC");
        ByteLevelFixture.writeTree(file, root);
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.fromTokenizerJson(file, LIMIT);
        // "e" + combining acute accent becomes the single code point "é".
        assertArrayEquals(tokenizer.encode("\u00e9"), tokenizer.encode("e\u0301"));
    }

    @Test
    void mergeOrderThatDiffersFromIdOrderIsRejected() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("he", 257);
        vocab.put("ll", 256);
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, MERGES);
        Path merges = dir.resolve("merges.txt");
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> ByteLevelBpeTokenizer.fromVocabAndMerges(dir.resolve("vocab.json"), merges, LIMIT));
        assertEquals(merges + " line 3: merge 'l l' makes id 256 after an earlier merge made id 257;"
                + " merge order differs from id order; unsupported", e.getMessage());
    }

    @Test
    void mergeResultMissingFromVocabIsRejected() throws IOException {
        List<String> merges = new ArrayList<>(MERGES);
        merges.add("d !");
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), merges);
        Path mergesTxt = dir.resolve("merges.txt");
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> ByteLevelBpeTokenizer.fromVocabAndMerges(dir.resolve("vocab.json"), mergesTxt, LIMIT));
        assertEquals(mergesTxt + " line 12: merge 'd !' makes 'd!', which is not in the vocabulary ("
                + dir.resolve("vocab.json") + ")", e.getMessage());
    }

    @Test
    void malformedMergeLineIsRejected() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), List.of("h e", "hel"));
        Path mergesTxt = dir.resolve("merges.txt");
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> ByteLevelBpeTokenizer.fromVocabAndMerges(dir.resolve("vocab.json"), mergesTxt, LIMIT));
        assertEquals(mergesTxt + " line 3: expected two tokens separated by one space, got 'hel'", e.getMessage());
    }

    @Test
    void vocabWithoutEveryByteIsRejected() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.remove("Ġ");
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, List.of());
        Path vocabJson = dir.resolve("vocab.json");
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> ByteLevelBpeTokenizer.fromVocabAndMerges(vocabJson, dir.resolve("merges.txt"), LIMIT));
        assertEquals(vocabJson + " has no token for byte 0x20 ('Ġ'); it is not a GPT-2 style byte-level BPE"
                + " vocabulary", e.getMessage());
    }

    @Test
    void duplicateIdsAreRejected() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("<|endoftext|>", HELLO);
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, MERGES);
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () ->
                ByteLevelBpeTokenizer.fromVocabAndMerges(dir.resolve("vocab.json"), dir.resolve("merges.txt"), LIMIT));
        assertTrue(e.getMessage().contains("'hello' and '<|endoftext|>' both have id 259"), e.getMessage());
    }

    @Test
    void malformedJsonNamesTheFile() throws IOException {
        Path vocabJson = Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0,");
        Path mergesTxt = Files.writeString(dir.resolve("merges.txt"), "");
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> ByteLevelBpeTokenizer.fromVocabAndMerges(vocabJson, mergesTxt, LIMIT));
        assertTrue(e.getMessage().startsWith(vocabJson + ": not valid JSON ("), e.getMessage());
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), MERGES);
        Path missing = dir.resolve("nope.txt");
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> ByteLevelBpeTokenizer.fromVocabAndMerges(dir.resolve("vocab.json"), missing, LIMIT));
        assertEquals(missing + ": file not found", e.getMessage());
        assertEquals(missing + ": file not found", failsToLoad(missing).getMessage());
    }

    @Test
    void nonBpeModelsAreRejected() throws IOException {
        Path file = ByteLevelFixture.writeTokenizerJson(dir, false);
        ObjectNode root = ByteLevelFixture.readTree(file);
        ((ObjectNode) root.get("model")).put("type", "WordPiece");
        ByteLevelFixture.writeTree(file, root);
        assertEquals(file + ": model.type is 'WordPiece'; only BPE tokenizers are supported",
                failsToLoad(file).getMessage());
    }

    @Test
    void otherPreTokenizersAreRejected() throws IOException {
        Path file = ByteLevelFixture.writeTokenizerJson(dir, false);
        ObjectNode root = ByteLevelFixture.readTree(file);
        root.putObject("pre_tokenizer").put("type", "Metaspace");
        ByteLevelFixture.writeTree(file, root);
        assertTrue(failsToLoad(file).getMessage().startsWith(file + ": pre_tokenizer {\"type\":\"Metaspace\"} is not"
                + " supported"));
    }

    @Test
    void malformedJsonMergeIsRejected() throws IOException {
        Path file = ByteLevelFixture.writeTokenizerJson(dir, true);
        ObjectNode root = ByteLevelFixture.readTree(file);
        ((ArrayNode) root.get("model").get("merges")).addArray().add("x");
        ByteLevelFixture.writeTree(file, root);
        assertEquals(file + " model.merges[10]: expected \"a b\" or [\"a\", \"b\"], got [\"x\"]",
                failsToLoad(file).getMessage());
    }

    // ---- strict loading -------------------------------------------------------------------------------------------

    @Test
    void truncatedMergesTxtIsRefusedInsteadOfRetokenizing() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), MERGES.subList(0, 7));
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> fromFiles());
        assertEquals(dir.resolve("merges.txt") + ": the merges are incomplete or truncated: 3 vocabulary tokens of "
                + dir.resolve("vocab.json") + " (ids 263 and up, e.g. 'worl') are made by no merge, so text would be"
                + " tokenized differently", e.getMessage());
    }

    @Test
    void emptyMergesAreRefused() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), List.of());
        Files.writeString(dir.resolve("merges.txt"), "");
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> fromFiles());
        assertTrue(e.getMessage().contains("10 vocabulary tokens"), e.getMessage());
    }

    @Test
    void truncatedTokenizerJsonMergesAreRefused() throws IOException {
        Path file = ByteLevelFixture.writeTokenizerJson(dir, true);
        ObjectNode root = ByteLevelFixture.readTree(file);
        ((ArrayNode) root.get("model").get("merges")).remove(9);
        ByteLevelFixture.writeTree(file, root);
        assertEquals(file + " model.merges: the merges are incomplete or truncated: 1 vocabulary tokens of " + file
                + " (ids 265 and up, e.g. 'Ġworld') are made by no merge, so text would be tokenized differently",
                failsToLoad(file).getMessage());
    }

    @Test
    void specialTokensNeedNoMerge() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("<|padding|>", VOCAB_SIZE);
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, MERGES);
        assertEquals(VOCAB_SIZE + 1, fromFiles().vocabSize());
    }

    @Test
    void bpeOptionsThatChangeTokenizationAreRefused() throws IOException {
        String[][] cases = {
                {"model", "dropout", "0.1", "model.dropout is 0.1; only null is supported"},
                {"model", "continuing_subword_prefix", "\"##\"", "model.continuing_subword_prefix is \"##\""},
                {"model", "end_of_word_suffix", "\"</w>\"", "model.end_of_word_suffix is \"</w>\""},
                {"model", "byte_fallback", "true", "model.byte_fallback is true"},
                {"model", "ignore_merges", "true", "model.ignore_merges is true"},
                {"model", "fuse_unk", "\"no\"", "model.fuse_unk is \"no\"; expected true or false"},
                {"pre_tokenizer", "use_regex", "\"yes\"", "pre_tokenizer.use_regex is \"yes\"; expected true or false"},
                {"pre_tokenizer", "add_prefix_space", "1", "pre_tokenizer.add_prefix_space is 1; expected true or false"}};
        for (String[] c : cases) {
            Path file = ByteLevelFixture.writeTokenizerJson(dir, false);
            ObjectNode root = ByteLevelFixture.readTree(file);
            ((ObjectNode) root.get(c[0])).set(c[1], json(c[2]));
            ByteLevelFixture.writeTree(file, root);
            String msg = failsToLoad(file).getMessage();
            assertTrue(msg.startsWith(file + " " + c[3]), msg);
        }
    }

    @Test
    void hugeIdsAreRefusedBeforeAnythingIsSizedByThem() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("hello", Integer.MAX_VALUE - 1);
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, MERGES);
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> fromFiles());
        assertEquals(dir.resolve("vocab.json") + ": token 'hello' has id 2147483646, but the model's vocabulary has"
                + " only 1000 ids (0..999)", e.getMessage());

        Path file = ByteLevelFixture.writeTokenizerJson(dir, false);
        ObjectNode root = ByteLevelFixture.readTree(file);
        ((ObjectNode) root.get("added_tokens").get(0)).put("id", 1_000_000_000);
        ByteLevelFixture.writeTree(file, root);
        assertEquals(file + ": added token '<|endoftext|>' has id 1000000000, but the model's vocabulary has only 1000"
                + " ids (0..999)", failsToLoad(file).getMessage());
    }

    @Test
    void nfcNormalizerGivesTheComposedTokenIds() throws IOException {
        Path file = ByteLevelFixture.writeTokenizerJson(dir, false);
        ObjectNode root = ByteLevelFixture.readTree(file);
        root.putObject("normalizer").put("type", "NFC");
        ByteLevelFixture.writeTree(file, root);
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.fromTokenizerJson(file, LIMIT);
        // "é" is U+00E9, UTF-8 c3 a9: the byte tokens 'Ã' and '©', which GPT-2's vocabulary orders as ids 120 and 67.
        int[] composed = {ByteLevelFixture.vocab().get("Ã"), ByteLevelFixture.vocab().get("©")};
        assertArrayEquals(composed, tokenizer.encode("e\u0301"));
        assertEquals("\u00e9", tokenizer.decode(composed));
    }

    @Test
    void mergesThatAreNotUtf8AreNamedWithTheirLine() throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), MERGES);
        byte[] bytes = Files.readAllBytes(dir.resolve("merges.txt"));
        bytes[20] = (byte) 0xff;
        Files.write(dir.resolve("merges.txt"), bytes);
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> fromFiles());
        assertEquals(dir.resolve("merges.txt") + ": not UTF-8 (byte 0xff at offset 20, line 3)", e.getMessage());
    }

    // ---- ids at the edges, malformed entries and defaults ----------------------------------------------------------

    /** Writes the fixture's tokenizer.json with one change applied. */
    private Path tokenizerJsonWith(Consumer<ObjectNode> change) throws IOException {
        Path file = ByteLevelFixture.writeTokenizerJson(dir, false);
        ObjectNode root = ByteLevelFixture.readTree(file);
        change.accept(root);
        ByteLevelFixture.writeTree(file, root);
        return file;
    }

    private Path writeMergesTxt(String... lines) throws IOException {
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), MERGES);
        return Files.writeString(dir.resolve("merges.txt"), String.join("\n", lines) + "\n");
    }

    @Test
    void decodeAcceptsEveryIdFromZeroToTheLastAndNoOther() throws IOException {
        ByteLevelBpeTokenizer tokenizer = fromVocabAndMerges();
        assertEquals("!", tokenizer.decode(EXCLAMATION));
        assertEquals("<|endoftext|>", tokenizer.decode(VOCAB_SIZE - 1));
        Path vocabJson = dir.resolve("vocab.json");
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> tokenizer.decode(VOCAB_SIZE));
        assertEquals("token id 267 is not in the vocabulary of " + vocabJson + " (267 tokens)", e.getMessage());
        e = assertThrows(CircuitscopeException.class, () -> tokenizer.decode(HELLO, -1));
        assertEquals("token id -1 is not in the vocabulary of " + vocabJson + " (267 tokens)", e.getMessage());
    }

    @Test
    void addedTokenSpelledOutsideTheByteAlphabetDecodesAsItsOwnText() throws IOException {
        // U+0200 is the first character past the byte-level alphabet's 512-character table.
        Path file = tokenizerJsonWith(root -> ((ArrayNode) root.get("added_tokens")).addObject()
                .put("id", VOCAB_SIZE).put("content", "\u0200"));
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.fromTokenizerJson(file, LIMIT);
        assertEquals(VOCAB_SIZE + 1, tokenizer.vocabSize());
        assertEquals("hello\u0200", tokenizer.decode(HELLO, VOCAB_SIZE));
    }

    @Test
    void aRepeatedMergeIsRejected() throws IOException {
        List<String> merges = new ArrayList<>(MERGES);
        merges.add(1, "h e");
        ByteLevelFixture.writeVocabAndMerges(dir, ByteLevelFixture.vocab(), merges);
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> fromFiles());
        assertEquals(dir.resolve("merges.txt") + " line 3: merge 'h e' makes id 256 after an earlier merge made id"
                + " 256; merge order differs from id order; unsupported", e.getMessage());
    }

    @Test
    void mergeOutsideTheByteAlphabetIsRejected() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("h\u0200", VOCAB_SIZE);
        List<String> merges = new ArrayList<>(MERGES);
        merges.add("h \u0200");
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, merges);
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> fromFiles());
        assertEquals(dir.resolve("merges.txt") + " line 12: merge 'h \u0200' is not spelled in GPT-2's byte-level"
                + " alphabet", e.getMessage());
    }

    @Test
    void vocabThatIsNotAnObjectIsRejected() throws IOException {
        Path file = tokenizerJsonWith(root -> ((ObjectNode) root.get("model")).putArray("vocab"));
        assertEquals(file + " model.vocab is not a JSON object mapping tokens to ids", failsToLoad(file).getMessage());
    }

    @Test
    void idsMustBeNonNegativeIntegers() throws IOException {
        Map<String, Integer> vocab = ByteLevelFixture.vocab();
        vocab.put("x!", -1);
        ByteLevelFixture.writeVocabAndMerges(dir, vocab, MERGES);
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> fromFiles());
        assertEquals(dir.resolve("vocab.json") + ": token 'x!' has id -1; ids must be non-negative integers",
                e.getMessage());

        for (String id : List.of("1.5", "\"7\"", "3000000000")) {
            Path file = tokenizerJsonWith(root -> ((ObjectNode) root.get("model").get("vocab")).set("x!", json(id)));
            assertEquals(file + " model.vocab: token 'x!' has id " + id + "; ids must be non-negative integers",
                    failsToLoad(file).getMessage());
        }
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
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> fromFiles());
        assertEquals(mergesTxt + " line 2: merge '#version: 0.2' makes '#version:0.2', which is not in the"
                + " vocabulary (" + dir.resolve("vocab.json") + ")", e.getMessage());
    }

    @Test
    void mergesTxtWithoutAVersionHeaderKeepsItsFirstMerge() throws IOException {
        writeMergesTxt(MERGES.toArray(String[]::new));
        ByteLevelBpeTokenizer tokenizer = fromFiles();
        assertArrayEquals(SENTENCE_IDS, tokenizer.encode(SENTENCE));
        assertArrayEquals(new int[] {256}, tokenizer.encode("he"));
    }

    @Test
    void mergeLinesWithAnEmptyHalfAreRejected() throws IOException {
        for (String bad : List.of(" e", "h ", "h  e", "h e l")) {
            Path mergesTxt = writeMergesTxt("#version: 0.2", bad);
            CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> fromFiles(), bad);
            assertEquals(mergesTxt + " line 2: expected two tokens separated by one space, got '" + bad + "'",
                    e.getMessage());
        }
        Path file = tokenizerJsonWith(root -> ((ArrayNode) root.get("model").get("merges")).addArray().add("").add("e"));
        assertEquals(file + " model.merges[10]: expected \"a b\" or [\"a\", \"b\"], got [\"\",\"e\"]",
                failsToLoad(file).getMessage());
    }

    @Test
    void tokenizerJsonWithoutMergesIsRejected() throws IOException {
        Path file = tokenizerJsonWith(root -> ((ObjectNode) root.get("model")).remove("merges"));
        assertEquals(file + " has no model.merges array", failsToLoad(file).getMessage());
    }

    @Test
    void addedTokensMayBeAbsentOrNull() throws IOException {
        Path absent = tokenizerJsonWith(root -> root.remove("added_tokens"));
        assertArrayEquals(SENTENCE_IDS, ByteLevelBpeTokenizer.fromTokenizerJson(absent, LIMIT).encode(SENTENCE));
        Path asNull = tokenizerJsonWith(root -> root.putNull("added_tokens"));
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.fromTokenizerJson(asNull, LIMIT);
        assertEquals(VOCAB_SIZE, tokenizer.vocabSize());
        assertEquals("<|endoftext|>", tokenizer.decode(END_OF_TEXT));
    }

    @Test
    void addedTokensMustBeAList() throws IOException {
        Path file = tokenizerJsonWith(root -> root.putObject("added_tokens").put("id", 5));
        assertEquals(file + ": added_tokens is OBJECT, not a list", failsToLoad(file).getMessage());
    }

    @Test
    void addedTokensNeedAnIdAndAContent() throws IOException {
        List<String> bad = List.of("{\"content\":\"x\"}", "{\"id\":\"5\",\"content\":\"x\"}",
                "{\"id\":-1,\"content\":\"x\"}", "{\"id\":1.5,\"content\":\"x\"}",
                "{\"id\":3000000000,\"content\":\"x\"}", "{\"id\":5}", "{\"id\":5,\"content\":7}");
        for (String token : bad) {
            Path file = tokenizerJsonWith(root -> ((ArrayNode) root.get("added_tokens")).add(json(token)));
            assertEquals(file + ": added token " + token + " needs an id and a content",
                    failsToLoad(file).getMessage());
        }
    }

    @Test
    void addedTokenIdsRunFromZeroToBelowTheModelVocabulary() throws IOException {
        Path file = tokenizerJsonWith(root -> ((ArrayNode) root.get("added_tokens"))
                .add(root.objectNode().put("id", 0).put("content", "!"))
                .add(root.objectNode().put("id", LIMIT - 1).put("content", "<pad>")));
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.fromTokenizerJson(file, LIMIT);
        assertEquals(LIMIT, tokenizer.vocabSize());
        assertEquals("!<pad>", tokenizer.decode(0, LIMIT - 1));

        Path tooBig = tokenizerJsonWith(root -> ((ArrayNode) root.get("added_tokens"))
                .add(root.objectNode().put("id", LIMIT).put("content", "<pad>")));
        assertEquals(tooBig + ": added token '<pad>' has id 1000, but the model's vocabulary has only 1000 ids"
                + " (0..999)", failsToLoad(tooBig).getMessage());
    }

    @Test
    void nullOrAbsentOptionsTakeTheirDefaults() throws IOException {
        Path file = tokenizerJsonWith(root -> {
            ((ObjectNode) root.get("model")).putNull("byte_fallback").putNull("fuse_unk").remove("ignore_merges");
            ((ObjectNode) root.get("pre_tokenizer")).putNull("add_prefix_space").remove("use_regex");
        });
        assertArrayEquals(SENTENCE_IDS, ByteLevelBpeTokenizer.fromTokenizerJson(file, LIMIT).encode(SENTENCE));
        Path nullRegex = tokenizerJsonWith(root -> ((ObjectNode) root.get("pre_tokenizer")).putNull("use_regex")
                .remove("add_prefix_space"));
        assertArrayEquals(SENTENCE_IDS, ByteLevelBpeTokenizer.fromTokenizerJson(nullRegex, LIMIT).encode(SENTENCE));
        Path noRegex = tokenizerJsonWith(root -> ((ObjectNode) root.get("pre_tokenizer")).put("use_regex", false));
        assertTrue(failsToLoad(noRegex).getMessage().startsWith(noRegex + ": pre_tokenizer "));
    }

    private ByteLevelBpeTokenizer fromFiles() {
        return ByteLevelBpeTokenizer.fromVocabAndMerges(dir.resolve("vocab.json"), dir.resolve("merges.txt"), LIMIT);
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
