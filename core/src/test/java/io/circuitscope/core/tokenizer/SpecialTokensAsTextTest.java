package io.circuitscope.core.tokenizer;

import static io.circuitscope.core.tokenizer.ByteLevelFixture.END_OF_TEXT;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.HELLO;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.LIMIT;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.VOCAB_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.CircuitscopeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A special token's spelling in a text is plain text; the special token's id still decodes to that spelling. */
class SpecialTokensAsTextTest {


    @TempDir
    Path dir;

    @RegisterExtension
    final OpenedTokenizers opened = new OpenedTokenizers();

    private TokenizerJsonTokenizer read(Consumer<ObjectNode> change) throws IOException {
        return opened.read(dir, change, LIMIT);
    }

    private static ArrayNode added(ObjectNode root) {
        return (ArrayNode) root.get("added_tokens");
    }

    /** The byte tokens of an ASCII text (each printable ASCII byte spells itself in the byte-level alphabet). */
    private static int[] bytes(String ascii) {
        return ascii.chars().map(c -> ByteLevelFixture.vocab().get(String.valueOf((char) c))).toArray();
    }

    private static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    @Test
    void aSpecialTokenInTheModelVocabularyIsSpelledOut() throws IOException {
        // GPT-2: <|endoftext|> is both a vocabulary token and a special added token.
        TokenizerJsonTokenizer tokenizer = read(root -> { });
        assertArrayEquals(concat(new int[] {HELLO}, bytes("<|"), bytes("endoftext"), bytes("|>")),
                tokenizer.encode("hello<|endoftext|>"));
        assertEquals("hello<|endoftext|>", tokenizer.decode(HELLO, END_OF_TEXT));
    }

    @Test
    void aSpecialTokenOnlyInAddedTokensKeepsItsIdForDecoding() throws IOException {
        // Qwen2: <|im_start|> is no vocabulary token; the non-special token after it keeps the next id.
        TokenizerJsonTokenizer tokenizer = read(root -> {
            ByteLevelFixture.addedToken(added(root), VOCAB_SIZE, "<|im_start|>", true);
            ByteLevelFixture.addedToken(added(root), VOCAB_SIZE + 1, "<tool>", false);
        });
        assertEquals(VOCAB_SIZE + 2, tokenizer.vocabSize());
        assertArrayEquals(concat(bytes("<|"), bytes("im"), bytes("_"), bytes("start"), bytes("|>"), new int[] {HELLO}),
                tokenizer.encode("<|im_start|>hello"));
        assertEquals("<|im_start|>hello<tool>", tokenizer.decode(VOCAB_SIZE, HELLO, VOCAB_SIZE + 1));
        assertArrayEquals(new int[] {HELLO, VOCAB_SIZE + 1}, tokenizer.encode("hello<tool>"));
    }

    @Test
    void aSentencePieceBosIsSpelledOut() throws IOException {
        // Llama: "<s>" is vocabulary id 1 and special; without the rewrite "<s>a" would encode as [1, 8].
        TokenizerJsonTokenizer tokenizer = read(root -> {
            root.set("added_tokens", root.arrayNode());
            ByteLevelFixture.addedToken(added(root), 0, "<unk>", true);
            ByteLevelFixture.addedToken(added(root), 1, "<s>", true);
            ByteLevelFixture.addedToken(added(root), 2, "</s>", true);
            ArrayNode normalizers = root.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
            normalizers.addObject().put("type", "Prepend").put("prepend", "▁");
            normalizers.addObject().put("type", "Replace").put("content", "▁").putObject("pattern")
                    .put("String", " ");
            root.putNull("pre_tokenizer");
            root.putObject("decoder").put("type", "Replace").put("content", " ").putObject("pattern")
                    .put("String", "▁");
            ObjectNode model = root.putObject("model").put("type", "BPE").put("unk_token", "<unk>")
                    .put("fuse_unk", true).put("byte_fallback", false);
            ObjectNode vocab = model.putObject("vocab");
            List.of("<unk>", "<s>", "</s>", "▁", "a", "<", "s", ">", "▁a").forEach(t -> vocab.put(t, vocab.size()));
            model.putArray("merges").add("▁ a");
        });
        assertArrayEquals(new int[] {3, 5, 6, 7, 4}, tokenizer.encode("<s>a"));
        assertArrayEquals(new int[] {8}, tokenizer.encode("a"));
        assertEquals("<s> a", tokenizer.decode(1, 8));
    }

    @Test
    void aUnigramSpecialTokenOutsideItsVocabularyIsRefused() throws IOException {
        Path file = ByteLevelFixture.writeTokenizerJson(dir, root -> {
            root.set("added_tokens", root.arrayNode());
            ByteLevelFixture.addedToken(added(root), 2, "<pad>", true);
            ByteLevelFixture.addedToken(added(root), 0, "<unk>", true);
            root.putObject("pre_tokenizer").put("type", "WhitespaceSplit");
            ArrayNode pieces = root.putObject("model").put("type", "Unigram").put("unk_id", 0).putArray("vocab");
            pieces.addArray().add("<unk>").add(0.0);
            pieces.addArray().add("a").add(-1.0);
        });
        CircuitscopeException e = assertThrows(CircuitscopeException.class, () -> TokenizerJsonTokenizer.read(file,
                LIMIT));
        assertEquals(file + ": special token '<pad>' (id 2) is not in the Unigram model's vocabulary, so its spelling"
                + " in a text cannot be read as plain text; such a tokenizer is not supported", e.getMessage());
    }
}
