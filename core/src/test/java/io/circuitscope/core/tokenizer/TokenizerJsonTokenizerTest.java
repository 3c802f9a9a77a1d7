package io.circuitscope.core.tokenizer;

import static io.circuitscope.core.tokenizer.ByteLevelFixture.END_OF_TEXT;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.EXCLAMATION;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.HELLO;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.LIMIT;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.model;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SENTENCE;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SENTENCE_IDS;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SPACE_HELLO;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SPACE_WORLD;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.VOCAB_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.CircuitscopeException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A tokenizer.json run by the HF tokenizers library: ids, decoding, errors, and the life of its native handle. */
class TokenizerJsonTokenizerTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final OpenedTokenizers opened = new OpenedTokenizers();

    private TokenizerJsonTokenizer read(Consumer<ObjectNode> change) throws IOException {
        return opened.read(dir, change, LIMIT);
    }

    private String refusal(Consumer<ObjectNode> change) throws IOException {
        return ByteLevelFixture.refusal(dir, change);
    }

    private Path file() {
        return dir.resolve("tokenizer.json");
    }

    @Test
    void encodesAndDecodesASentence() throws IOException {
        TokenizerJsonTokenizer tokenizer = read(root -> { });
        assertArrayEquals(SENTENCE_IDS, tokenizer.encode(SENTENCE));
        assertEquals(SENTENCE, tokenizer.decode(SENTENCE_IDS));
        assertArrayEquals(new int[0], tokenizer.encode(""));
        assertEquals("", tokenizer.decode());
        assertEquals(VOCAB_SIZE, tokenizer.vocabSize());
        assertEquals("byte-level BPE from tokenizer.json (267 tokens)", tokenizer.description());
    }

    @Test
    void textOutsideTheMergesIsSpelledInBytes() throws IOException {
        TokenizerJsonTokenizer tokenizer = read(root -> { });
        String text = "héllo, wörld ✓ 🙂\n\tdone";
        assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
        // U+1F642 is four UTF-8 bytes, so four byte tokens.
        assertEquals(4, tokenizer.encode("🙂").length);
    }

    @Test
    void theNormalizerIsApplied() throws IOException {
        TokenizerJsonTokenizer tokenizer = read(root -> root.putObject("normalizer").put("type", "NFC"));
        // "e" + combining acute accent becomes U+00E9, UTF-8 c3 a9: the byte tokens 'Ã' and '©'.
        int[] composed = {ByteLevelFixture.vocab().get("Ã"), ByteLevelFixture.vocab().get("©")};
        assertArrayEquals(composed, tokenizer.encode("e\u0301"));
        assertEquals("\u00e9", tokenizer.decode(composed));
    }

    @Test
    void aPrefixSpaceIsAddedWhenThePreTokenizerSaysSo() throws IOException {
        TokenizerJsonTokenizer tokenizer =
                read(root -> ((ObjectNode) root.get("pre_tokenizer")).put("add_prefix_space", true));
        assertArrayEquals(new int[] {SPACE_HELLO, SPACE_WORLD}, tokenizer.encode("hello world"));
    }

    @Test
    void nullOrAbsentOptionsTakeTheirDefaults() throws IOException {
        assertArrayEquals(SENTENCE_IDS, read(root -> model(root).putNull("byte_fallback").putNull("fuse_unk")
                .remove(List.of("ignore_merges", "dropout", "unk_token"))).encode(SENTENCE));
        // The library requires the ByteLevel pre-tokenizer's fields; it names the one missing.
        String message = refusal(root -> ((ObjectNode) root.get("pre_tokenizer")).remove("add_prefix_space"));
        assertTrue(message.startsWith(file() + ": the HF tokenizers library cannot read it: missing field"
                + " `add_prefix_space`"), message);
    }

    @Test
    void optionsOfTheWrongTypeAreRefusedByTheLibraryNamingTheFile() throws IOException {
        String[][] cases = {{"model", "fuse_unk", "no"}, {"pre_tokenizer", "use_regex", "yes"}};
        for (String[] c : cases) {
            String message = refusal(root -> ((ObjectNode) root.get(c[0])).put(c[1], c[2]));
            assertTrue(message.startsWith(file() + ": the HF tokenizers library cannot read it: "), message);
            assertTrue(message.contains("\"" + c[2] + "\""), message);
        }
        String message = refusal(root -> root.put("version", "2.0"));
        assertTrue(message.startsWith(file() + ": the HF tokenizers library cannot read it: Unknown tokenizer"
                + " version '2.0' at line 1"), message);
    }

    @Test
    void malformedJsonIsRefusedBeforeTheLibrarySeesIt() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\",");
        String message = assertThrows(CircuitscopeException.class, () -> TokenizerJsonTokenizer.read(file, LIMIT))
                .getMessage();
        assertTrue(message.startsWith(file + ": not valid JSON ("), message);
        Path missing = dir.resolve("nope.json");
        assertEquals(missing + ": file not found", assertThrows(CircuitscopeException.class,
                () -> TokenizerJsonTokenizer.read(missing, LIMIT)).getMessage());
    }

    @Test
    void decodeRefusesIdsOutsideTheVocabulary() throws IOException {
        TokenizerJsonTokenizer tokenizer = read(root -> { });
        assertEquals("!<|endoftext|>", tokenizer.decode(EXCLAMATION, END_OF_TEXT));
        for (int id : new int[] {-1, VOCAB_SIZE, LIMIT}) {
            CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> tokenizer.decode(HELLO, id));
            assertEquals("token id " + id + " is not in the vocabulary of " + file() + " (267 tokens)",
                    e.getMessage());
        }
    }

    @Test
    void decodeRefusesAGapBetweenIds() throws IOException {
        // Ids 267..299 name no token; 300 does.
        TokenizerJsonTokenizer tokenizer =
                read(root -> ((ObjectNode) root.get("model").get("vocab")).put("<|gap|>", 300));
        assertEquals(301, tokenizer.vocabSize());
        assertEquals("<|gap|>", tokenizer.decode(300));
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> tokenizer.decode(290));
        assertEquals("token id 290 is not in the vocabulary of " + file() + " (301 tokens)", e.getMessage());
    }

    @Test
    void addedTokensThatAreNotSpecialAreMatchedInTextAsHfDoes() throws IOException {
        TokenizerJsonTokenizer tokenizer = read(root ->
                ByteLevelFixture.addedToken((ArrayNode) root.get("added_tokens"), VOCAB_SIZE, "<pad> token", false));
        assertEquals(VOCAB_SIZE + 1, tokenizer.vocabSize());
        assertArrayEquals(new int[] {HELLO, VOCAB_SIZE, EXCLAMATION}, tokenizer.encode("hello<pad> token!"));
        assertEquals("hello<pad> token", tokenizer.decode(HELLO, VOCAB_SIZE));
    }

    @Test
    void anAddedTokenSpelledOutsideTheByteAlphabetDecodesAsItsOwnText() throws IOException {
        // U+0200 is the first character past the byte-level alphabet's 512-character table.
        TokenizerJsonTokenizer tokenizer = read(root ->
                ByteLevelFixture.addedToken((ArrayNode) root.get("added_tokens"), VOCAB_SIZE, "\u0200", false));
        assertEquals("hello\u0200", tokenizer.decode(HELLO, VOCAB_SIZE));
    }

    @Test
    void anAddedTokenIdTheLibraryWouldNotGiveIsRefused() throws IOException {
        // The library numbers an added token outside the model's vocabulary itself: the next free id, 267, not 300.
        assertEquals(file() + ": added token '<pad>' has id 300, but the tokenizers library encodes it as [267]; the"
                + " ids of the added tokens do not fit the vocabulary", refusal(root -> ByteLevelFixture.addedToken(
                        (ArrayNode) root.get("added_tokens"), 300, "<pad>", false)));
    }

    @Test
    void anUnpairedSurrogateIsNotText() throws IOException {
        TokenizerJsonTokenizer tokenizer = read(root -> { });
        assertEquals("the text has an unpaired surrogate U+D800 at index 1, so it is not Unicode text",
                assertThrows(CircuitscopeException.class, () -> tokenizer.encode("a\ud800b")).getMessage());
        assertEquals("the text has an unpaired surrogate U+DC00 at index 1, so it is not Unicode text",
                assertThrows(CircuitscopeException.class, () -> tokenizer.encode("a\udc00")).getMessage());
        assertEquals("the text has an unpaired surrogate U+D83D at index 0, so it is not Unicode text",
                assertThrows(CircuitscopeException.class, () -> tokenizer.encode("\ud83d")).getMessage());
        assertEquals("🙂", tokenizer.decode(tokenizer.encode("\ud83d\ude42")));
    }

    @Test
    void aFailureInsideTheLibraryIsReportedNamingTheFile() throws IOException {
        // A WordLevel model with no unknown token cannot encode a word it lacks; the library says so.
        TokenizerJsonTokenizer tokenizer = read(root -> {
            root.putArray("added_tokens");
            root.putObject("pre_tokenizer").put("type", "WhitespaceSplit");
            root.putNull("decoder");
            root.putObject("model").put("type", "WordLevel").put("unk_token", "<unk>").putObject("vocab")
                    .put("the", 0).put("cat", 1);
        });
        assertArrayEquals(new int[] {0, 1}, tokenizer.encode("the cat"));
        assertEquals("the cat", tokenizer.decode(0, 1));
        assertEquals("WordLevel from tokenizer.json (2 tokens)", tokenizer.description());
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> tokenizer.encode("the dog"));
        assertTrue(e.getMessage().startsWith(file() + ": the HF tokenizers library failed: "), e.getMessage());
    }

    @Test
    void closeFreesTheTokenizerAndLaterCallsFailPlainly() throws IOException {
        TokenizerJsonTokenizer tokenizer = read(root -> { });
        tokenizer.close();
        tokenizer.close();
        String closed = "the tokenizer of " + file() + " is closed";
        assertEquals(closed, assertThrows(CircuitscopeException.class, () -> tokenizer.encode("hi")).getMessage());
        assertEquals(closed, assertThrows(CircuitscopeException.class, () -> tokenizer.decode(HELLO)).getMessage());
        assertEquals(VOCAB_SIZE, tokenizer.vocabSize());
    }

    /** The DJL tokenizer inside, which holds the native handle. */
    private static HuggingFaceTokenizer nativeOf(TokenizerJsonTokenizer tokenizer) throws ReflectiveOperationException {
        Field field = TokenizerJsonTokenizer.class.getDeclaredField("tokenizer");
        field.setAccessible(true);
        return (HuggingFaceTokenizer) field.get(tokenizer);
    }

    @Test
    void closeFreesTheNativeTokenizer() throws Exception {
        TokenizerJsonTokenizer tokenizer = read(root -> { });
        HuggingFaceTokenizer inside = nativeOf(tokenizer);
        assertFalse(inside.isReleased());
        tokenizer.close();
        assertTrue(inside.isReleased());
    }

    /** Reads a tokenizer and drops it unclosed, keeping only the DJL tokenizer inside. */
    private HuggingFaceTokenizer readAndDrop() throws Exception {
        return nativeOf(TokenizerJsonTokenizer.read(ByteLevelFixture.writeTokenizerJson(dir, false), LIMIT));
    }

    @Test
    void aTokenizerNeverClosedIsFreedOnceUnreachable() throws Exception {
        // The test holds the DJL tokenizer, so its own finalizer cannot run: only the cleaner can free it.
        HuggingFaceTokenizer inside = readAndDrop();
        for (int i = 0; i < 500 && !inside.isReleased(); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(inside.isReleased());
    }

    @Test
    void loadingTheLibraryForcesDjlOffline() throws IOException {
        String before = System.getProperty("ai.djl.offline");
        System.clearProperty("ai.djl.offline");
        try {
            read(root -> { });
            assertEquals("true", System.getProperty("ai.djl.offline"));
        } finally {
            System.setProperty("ai.djl.offline", before);
        }
    }

    @Test
    void aModelWithoutATypeIsDescribedByItsShape() throws IOException {
        assertEquals("byte-level BPE from tokenizer.json (267 tokens)",
                read(root -> model(root).remove("type")).description());
        TokenizerJsonTokenizer wordLevel = read(root -> {
            root.putArray("added_tokens");
            root.putObject("pre_tokenizer").put("type", "WhitespaceSplit");
            root.putNull("decoder");
            root.putObject("model").put("unk_token", "cat").putObject("vocab").put("the", 0).put("cat", 1);
        });
        assertArrayEquals(new int[] {0, 1, 1}, wordLevel.encode("the cat sat"));
        assertEquals("model from tokenizer.json (2 tokens)", wordLevel.description());
    }

    @Test
    void threadsShareOneTokenizerAndCloseWaitsForThem() throws Exception {
        TokenizerJsonTokenizer tokenizer = read(root -> { });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch running = new CountDownLatch(4);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                runs.add(pool.submit(() -> {
                    int done = 0;
                    try {
                        while (done < 1_000_000) {
                            assertArrayEquals(SENTENCE_IDS, tokenizer.encode(SENTENCE));
                            assertEquals(SENTENCE, tokenizer.decode(SENTENCE_IDS));
                            if (done++ == 0) {
                                running.countDown();
                            }
                        }
                    } catch (CircuitscopeException e) {
                        assertEquals("the tokenizer of " + file() + " is closed", e.getMessage());
                    }
                    return done;
                }));
            }
            assertTrue(running.await(60, TimeUnit.SECONDS));
            // Closing while four threads are inside the library must neither crash the JVM nor corrupt a result.
            tokenizer.close();
            for (Future<Integer> run : runs) {
                assertTrue(run.get(60, TimeUnit.SECONDS) > 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
