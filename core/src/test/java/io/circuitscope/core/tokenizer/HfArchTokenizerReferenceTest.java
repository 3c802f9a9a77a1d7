package io.circuitscope.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.circuitscope.core.engine.NextTokenPrediction;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tokenizer.json files that the real HF tokenizers library trained for the hf-arch fixtures (Pythia and Qwen2:
 * byte-level BPE; Llama and Mistral: SentencePiece-style BPE with byte fallback) give exactly the ids and text that
 * library gives, with special-token spellings read as plain text (see {@code tokenizer/README.md}).
 */
class HfArchTokenizerReferenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(HfArchTokenizerReferenceTest.class.getResource("/" + name).toURI());
    }

    private static int[] ints(JsonNode array) {
        return IntStream.range(0, array.size()).map(i -> array.get(i).intValue()).toArray();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "pythia, 310, false, 0, <|endoftext|>",
            "pythia-sequential, 310, false, 1, <|padding|>",
            "llama, 352, true, 1, <s>",
            "mistral, 352, true, 2, </s>",
            "qwen2, 310, false, 308, <|im_start|>"})
    void reproducesTheLibrarysIdsAndText(String name, int tokens, boolean addsBos, int specialId, String special)
            throws IOException, URISyntaxException {
        Path dir = resource("hf-arch/" + name);
        JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
        JsonNode reference = JSON.readTree(dir.resolve("reference.json").toFile());
        Map<String, JsonNode> split = new HashMap<>();
        JSON.readTree(resource("tokenizer/hf-arch-split-special-tokens.json").toFile())
                .path(name.replace("-sequential", "")).forEach(record -> split.put(record.get("text").textValue(),
                        record));
        Tokenizer loaded = TokenizerLoader.forHfDirectory(dir, config.get("vocab_size").intValue()).orElseThrow();
        try (TokenizerJsonTokenizer tokenizer = assertInstanceOf(TokenizerJsonTokenizer.class, loaded)) {
            assertEquals(tokens, tokenizer.vocabSize());
            assertTrue(tokenizer.description().endsWith("BPE from tokenizer.json (" + tokens + " tokens)"),
                    tokenizer.description());
            assertEquals(special, tokenizer.decode(specialId));
            int bos = config.get("bos_token_id").intValue();
            for (JsonNode text : reference.get("texts")) {
                String what = name + ": " + text.get("text");
                int[] ids = ints(text.get("ids"));
                // Decoding does not depend on how special spellings are encoded: every reference decodes as HF's.
                assertEquals(text.get("decoded").textValue(), tokenizer.decode(ids), what);
                JsonNode plain = split.get(text.get("text").textValue());
                int[] expected = plain == null ? ids : ints(plain.get("ids"));
                assertArrayEquals(expected, tokenizer.encode(text.get("text").textValue()), what);
                if (plain == null) {
                    // Llama's post-processor adds BOS, which circuitscope prepends from config.json instead.
                    int[] prompt = addsBos ? NextTokenPrediction.promptIds(tokenizer, text.get("text").textValue(),
                            Optional.of(bos)) : tokenizer.encode(text.get("text").textValue());
                    assertArrayEquals(ints(text.get("ids_with_special")), prompt, what);
                }
                String decoded = plain == null ? text.get("decoded").textValue() : plain.get("decoded").textValue();
                assertEquals(decoded, tokenizer.decode(expected), what);
            }
            assertEquals(1, split.size(), "one text of each fixture spells special tokens");
        }
    }
}
