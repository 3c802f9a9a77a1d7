package io.circuitscope.core.tokenizer;

import static io.circuitscope.core.tokenizer.ByteLevelFixture.END_OF_TEXT;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.HELLO;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.LIMIT;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.VOCAB_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.CircuitscopeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The ids a tokenizer.json declares are checked against the model and against what the library will give. */
class TokenizerJsonVocabularyTest {


    @TempDir
    Path dir;

    @RegisterExtension
    final OpenedTokenizers opened = new OpenedTokenizers();

    private TokenizerJsonTokenizer read(Consumer<ObjectNode> change, int maxVocab) throws IOException {
        return opened.read(dir, change, maxVocab);
    }

    private String refusal(Consumer<ObjectNode> change, int maxVocab) throws IOException {
        Path file = ByteLevelFixture.writeTokenizerJson(dir, change);
        return assertThrows(CircuitscopeException.class, () -> TokenizerJsonTokenizer.read(file, maxVocab))
                .getMessage();
    }

    private String refusal(Consumer<ObjectNode> change) throws IOException {
        return refusal(change, LIMIT);
    }

    private Path file() {
        return dir.resolve("tokenizer.json");
    }

    private static ObjectNode vocab(ObjectNode root) {
        return (ObjectNode) root.get("model").get("vocab");
    }

    private static ArrayNode added(ObjectNode root) {
        return (ArrayNode) root.get("added_tokens");
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void idsRunFromZeroToBelowTheModelVocabulary() throws IOException {
        assertEquals(VOCAB_SIZE, read(root -> { }, VOCAB_SIZE).vocabSize());
        assertEquals(file() + " model.vocab: token '<|endoftext|>' has id 266, but the model's vocabulary has only 266"
                + " ids (0..265)", refusal(root -> { }, VOCAB_SIZE - 1));
        assertEquals(file() + " model.vocab: token '§' has id 100, but the model's vocabulary has only 100 ids"
                + " (0..99)", refusal(root -> { }, 100));
        assertEquals(file() + " model.vocab: token 'hello' has id 2147483646, but the model's vocabulary has only"
                + " 1000 ids (0..999)", refusal(root -> vocab(root).put("hello", Integer.MAX_VALUE - 1)));
    }

    @Test
    void addedTokenIdsRunFromZeroToBelowTheModelVocabulary() throws IOException {
        Consumer<ObjectNode> pad = root -> ByteLevelFixture.addedToken(added(root), VOCAB_SIZE, "<pad>", false);
        TokenizerJsonTokenizer tokenizer = read(pad.andThen(root ->
                ByteLevelFixture.addedToken(added(root), 0, "!", false)), VOCAB_SIZE + 1);
        assertEquals(VOCAB_SIZE + 1, tokenizer.vocabSize());
        assertEquals("!<pad>", tokenizer.decode(0, VOCAB_SIZE));
        assertEquals(file() + ": added token '<pad>' has id 267, but the model's vocabulary has only 267 ids"
                + " (0..266)", refusal(pad, VOCAB_SIZE));
        assertEquals(file() + ": added token '<|endoftext|>' has id 1000000000, but the model's vocabulary has only"
                + " 1000 ids (0..999)", refusal(root -> ((ObjectNode) added(root).get(0)).put("id", 1_000_000_000)));
    }

    @Test
    void idsMustBeNonNegativeIntegers() throws IOException {
        for (String id : List.of("-1", "1.5", "\"7\"", "3000000000", "null")) {
            assertEquals(file() + " model.vocab: token 'x!' has id " + id + "; ids must be non-negative integers",
                    refusal(root -> vocab(root).set("x!", json(id))), id);
        }
    }

    @Test
    void aBpeVocabularyIsAnObject() throws IOException {
        assertEquals(file() + " model.vocab is not a JSON object mapping tokens to ids",
                refusal(root -> ((ObjectNode) root.get("model")).putArray("vocab")));
        assertEquals(file() + " model.vocab is not a JSON object mapping tokens to ids",
                refusal(root -> ((ObjectNode) root.get("model")).remove("vocab")));
    }

    @Test
    void twoTokensWithOneIdAreRefused() throws IOException {
        assertEquals(file() + " model.vocab: tokens 'hello' and '<|endoftext|>' both have id 259",
                refusal(root -> vocab(root).put("<|endoftext|>", HELLO)));
    }

    @Test
    void addedTokensMayBeAbsentOrNullButNotAnObject() throws IOException {
        TokenizerJsonTokenizer absent = read(root -> root.remove("added_tokens"), LIMIT);
        assertEquals("<|endoftext|>", absent.decode(END_OF_TEXT));
        TokenizerJsonTokenizer asNull = read(root -> root.putNull("added_tokens"), LIMIT);
        assertEquals(VOCAB_SIZE, asNull.vocabSize());
        assertEquals(file() + ": added_tokens is OBJECT, not a list",
                refusal(root -> root.putObject("added_tokens").put("id", 5)));
    }

    @Test
    void addedTokensNeedAnIdAndAContent() throws IOException {
        List<String> bad = List.of("{\"content\":\"x\"}", "{\"id\":\"5\",\"content\":\"x\"}",
                "{\"id\":-1,\"content\":\"x\"}", "{\"id\":1.5,\"content\":\"x\"}",
                "{\"id\":3000000000,\"content\":\"x\"}", "{\"id\":5}", "{\"id\":5,\"content\":7}");
        for (String token : bad) {
            assertEquals(file() + ": added token " + token + " needs an id and a content",
                    refusal(root -> added(root).add(json(token))), token);
        }
        assertEquals(file() + ": added token 267 has empty content",
                refusal(root -> ByteLevelFixture.addedToken(added(root), VOCAB_SIZE, "", false)));
    }

    @Test
    void addedTokensMustAgreeWithEachOther() throws IOException {
        assertEquals(file() + ": added tokens '<|endoftext|>' and '<pad>' both have id 266",
                refusal(root -> ByteLevelFixture.addedToken(added(root), END_OF_TEXT, "<pad>", true)));
        assertEquals(file() + ": added token '<|endoftext|>' is listed twice, with ids 266 and 267",
                refusal(root -> ByteLevelFixture.addedToken(added(root), VOCAB_SIZE, "<|endoftext|>", true)));
    }

    @Test
    void addedTokensMustAgreeWithTheModelVocabulary() throws IOException {
        // The library would give '<|endoftext|>' its vocabulary id, 266, whatever added_tokens says.
        assertEquals(file() + ": added token '<|endoftext|>' has id 5, but the model's vocabulary gives it id 266",
                refusal(root -> ((ObjectNode) added(root).get(0)).put("id", 5)));
        String five = ByteLevelFixture.vocab().entrySet().stream().filter(e -> e.getValue() == 5).findFirst()
                .orElseThrow().getKey();
        assertEquals(file() + ": added token '<pad>' has id 5, which the model's vocabulary gives to '" + five + "'",
                refusal(root -> ByteLevelFixture.addedToken(added(root), 5, "<pad>", true)));
    }

    // ---- Unigram ----------------------------------------------------------------------------------------------------

    /** A SentencePiece-style Unigram tokenizer: Metaspace splitting, six scored pieces, {@code <unk>} at 0. */
    private static Consumer<ObjectNode> unigram(String... extraPieces) {
        return root -> {
            root.putArray("added_tokens");
            root.putNull("normalizer");
            root.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "▁")
                    .put("prepend_scheme", "always").put("split", true);
            root.putObject("decoder").put("type", "Metaspace").put("replacement", "▁")
                    .put("prepend_scheme", "always").put("split", true);
            ObjectNode model = root.putObject("model").put("type", "Unigram").put("unk_id", 0)
                    .put("byte_fallback", false);
            ArrayNode pieces = model.putArray("vocab");
            String[] tokens = {"<unk>", "▁", "a", "b", "ab", "▁ab"};
            double[] scores = {0, -2, -3, -3, -1, -0.5};
            for (int i = 0; i < tokens.length; i++) {
                pieces.addArray().add(tokens[i]).add(scores[i]);
            }
            for (String extra : extraPieces) {
                pieces.add(json(extra));
            }
        };
    }

    @Test
    void aUnigramVocabularyIsAListWhosePositionsAreIds() throws IOException {
        TokenizerJsonTokenizer tokenizer = read(unigram(), LIMIT);
        assertArrayEquals(new int[] {5, 1, 3}, tokenizer.encode("ab b"));
        assertEquals("ab b", tokenizer.decode(5, 1, 3));
        assertEquals(6, tokenizer.vocabSize());
        assertEquals(6, read(unigram(), 6).vocabSize());
        assertEquals("Unigram from tokenizer.json (6 tokens)", tokenizer.description());
        assertEquals(file() + " model.vocab lists 6 tokens, but the model's vocabulary has only 5 ids",
                refusal(unigram(), 5));
    }

    @Test
    void unigramPiecesAreCheckedOneByOne() throws IOException {
        for (String bad : List.of("[\"c\"]", "[\"c\", -1, 0]", "[7, -1]", "[\"c\", \"-1\"]", "\"c\"")) {
            assertEquals(file() + " model.vocab[6]: expected [token, score], got " + json(bad),
                    refusal(unigram(bad)), bad);
        }
        assertEquals(file() + " model.vocab: token 'ab' is listed at 4 and at 6", refusal(unigram("[\"ab\", -4]")));
        assertEquals(file() + " model.vocab is not a list of [token, score] pairs",
                refusal(unigram().andThen(root -> ((ObjectNode) root.get("model")).putObject("vocab"))));
    }
}
