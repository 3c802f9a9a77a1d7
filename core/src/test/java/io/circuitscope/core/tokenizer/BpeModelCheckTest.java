package io.circuitscope.core.tokenizer;

import static io.circuitscope.core.tokenizer.ByteLevelFixture.HELLO;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.LIMIT;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.model;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SENTENCE;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SENTENCE_IDS;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.SPACE_HELLO;
import static io.circuitscope.core.tokenizer.ByteLevelFixture.VOCAB_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A tokenizer.json BPE model that the library would crash on, run at random or run silently wrong is refused. */
class BpeModelCheckTest {

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

    private static ArrayNode merges(ObjectNode root) {
        return (ArrayNode) root.get("model").get("merges");
    }

    @Test
    void theFixturePassesWithMergesInEitherSpelling() throws IOException {
        assertArrayEquals(SENTENCE_IDS, read(root -> { }).encode(SENTENCE));
        Path pairs = ByteLevelFixture.writeTokenizerJson(dir, true);
        try (TokenizerJsonTokenizer tokenizer = TokenizerJsonTokenizer.read(pairs, LIMIT)) {
            assertArrayEquals(SENTENCE_IDS, tokenizer.encode(SENTENCE));
        }
    }

    @Test
    void dropoutIsRefusedBecauseItTokenizesAtRandom() throws IOException {
        assertEquals(file() + " model.dropout is 0.1; BPE dropout tokenizes at random, and the same text must always"
                + " give the same ids", refusal(root -> model(root).put("dropout", 0.1)));
        assertArrayEquals(SENTENCE_IDS, read(root -> model(root).put("dropout", 0.0)).encode(SENTENCE));
    }

    @Test
    void aMergeWithoutTheContinuingSubwordPrefixIsRefusedBeforeTheLibraryAbortsOnIt() throws IOException {
        assertEquals(file() + " model.merges[0]: merge 'h e' joins 'e', which lacks the continuing_subword_prefix"
                + " '##'", refusal(root -> model(root).put("continuing_subword_prefix", "##")));
    }

    @Test
    void aContinuingSubwordPrefixIsAppliedAsHfDoes() throws IOException {
        // WordPiece-style BPE: "hello" is h, ##e, ##l, ##l, ##o; a merge cuts the prefix off its right half.
        List<String> tokens = new ArrayList<>(List.of("h", "##e", "##l", "##o", "he", "##ll", "hell", "hello", "!"));
        TokenizerJsonTokenizer tokenizer = read(root -> {
            root.putNull("pre_tokenizer").putNull("decoder");
            ObjectNode vocab = model(root).put("continuing_subword_prefix", "##").putObject("vocab");
            tokens.forEach(t -> vocab.put(t, vocab.size()));
            model(root).putArray("merges").add("h ##e").add("##l ##l").add("he ##ll").add("hell ##o");
            root.putArray("added_tokens");
        });
        assertArrayEquals(new int[] {7}, tokenizer.encode("hello"));
        assertArrayEquals(new int[] {6}, tokenizer.encode("hell"));
        assertArrayEquals(new int[] {4, 2}, tokenizer.encode("hel"));
        assertEquals("BPE from tokenizer.json (9 tokens)", tokenizer.description());
    }

    @Test
    void mergesAreCheckedOneByOne() throws IOException {
        assertEquals(file() + " model.merges[10]: expected \"a b\" or [\"a\", \"b\"], got [\"x\"]",
                refusal(root -> merges(root).addArray().add("x")));
        assertEquals(file() + " model.merges[10]: expected \"a b\" or [\"a\", \"b\"], got [\"\",\"e\"]",
                refusal(root -> merges(root).addArray().add("").add("e")));
        assertEquals(file() + " model.merges[10]: expected \"a b\" or [\"a\", \"b\"], got [\"h\",\"\"]",
                refusal(root -> merges(root).addArray().add("h").add("")));
        assertEquals(file() + " model.merges[10]: expected \"a b\" or [\"a\", \"b\"], got [\"h\",\"e\",\"l\"]",
                refusal(root -> merges(root).addArray().add("h").add("e").add("l")));
        assertEquals(file() + " model.merges[10]: expected \"a b\" or [\"a\", \"b\"], got [\"h\",7]",
                refusal(root -> merges(root).addArray().add("h").add(7)));
        assertEquals(file() + " model.merges[10]: expected \"a b\" or [\"a\", \"b\"], got 7",
                refusal(root -> merges(root).add(7)));
        assertEquals(file() + " model.merges[10]: expected two tokens separated by one space, got 'hel'",
                refusal(root -> merges(root).add("hel")));
        assertEquals(file() + " model.merges[10]: merge 'd !' makes 'd!', which is not in the vocabulary (" + file()
                + " model.vocab)", refusal(root -> merges(root).add("d !")));
        assertEquals(file() + " model.merges[10]: merge 'hello z' joins 'z', which is not in the vocabulary ("
                + file() + " model.vocab)", refusal(root -> {
                    ((ObjectNode) root.get("model").get("vocab")).remove("z");
                    merges(root).add("hello z");
                }));
        assertEquals(file() + " model.merges[10]: merge 'h e' repeats " + file() + " model.merges[0]",
                refusal(root -> merges(root).add("h e")));
    }

    @Test
    void aBpeModelNeedsItsMerges() throws IOException {
        assertEquals(file() + " model.merges is not a list; a BPE model needs its merges",
                refusal(root -> model(root).remove("merges")));
        assertEquals(file() + " model.merges is not a list; a BPE model needs its merges",
                refusal(root -> model(root).put("merges", "h e")));
    }

    @Test
    void truncatedMergesAreRefusedInsteadOfRetokenizing() throws IOException {
        assertEquals(file() + " model.merges: the merges are incomplete or truncated: 1 vocabulary tokens of " + file()
                + " model.vocab (ids 265 and up, e.g. 'Ġworld') are made by no merge, so text would be tokenized"
                + " differently", refusal(root -> merges(root).remove(9)));
        assertTrue(refusal(root -> merges(root).removeAll()).contains(": the merges are incomplete or truncated: 10"
                + " vocabulary tokens of "));
    }

    @Test
    void ignoreMergesReachesWholeWordsSoNoMergeIsMissed() throws IOException {
        // With ignore_merges a word in the vocabulary is one token: "hello" needs no merge at all.
        TokenizerJsonTokenizer tokenizer = read(root -> {
            model(root).put("ignore_merges", true);
            merges(root).removeAll();
        });
        assertArrayEquals(new int[] {HELLO, SPACE_HELLO}, tokenizer.encode("hello hello"));
        assertArrayEquals(SENTENCE_IDS, read(root -> model(root).put("ignore_merges", true)).encode(SENTENCE));
    }

    @Test
    void tokensThatAreEmittedWholeNeedNoMerge() throws IOException {
        TokenizerJsonTokenizer tokenizer = read(root -> {
            ObjectNode vocab = (ObjectNode) root.get("model").get("vocab");
            vocab.put("<|padding|>", VOCAB_SIZE).put("<pad>", VOCAB_SIZE + 1);
            ByteLevelFixture.addedToken((ArrayNode) root.get("added_tokens"), VOCAB_SIZE + 1, "<pad>", true);
        });
        assertEquals(VOCAB_SIZE + 2, tokenizer.vocabSize());
        assertEquals("<|padding|><pad>", tokenizer.decode(VOCAB_SIZE, VOCAB_SIZE + 1));

        assertTrue(refusal(root -> ((ObjectNode) root.get("model").get("vocab")).put("<pad>", VOCAB_SIZE))
                .contains("1 vocabulary tokens of " + file() + " model.vocab (ids 267 and up, e.g. '<pad>')"));
    }

    @Test
    void aByteLevelVocabularyNeedsEveryByte() throws IOException {
        assertEquals(file() + " model.vocab has no token 'Ġ' for byte 0x20, so text with that byte would lose it; it"
                + " is not a complete byte-level BPE vocabulary", refusal(root -> {
                    ((ObjectNode) root.get("model").get("vocab")).remove(List.of("Ġ", "Ġhello", "Ġworld"));
                    merges(root).remove(9);
                    merges(root).remove(4);
                }));
    }

    @Test
    void anEndOfWordSuffixNeedsEveryByteWithTheSuffix() throws IOException {
        // Every word's last character would be looked up as "c</w>", which the fixture lacks: text would vanish.
        assertEquals(file() + " model.vocab has no token 'Ā</w>' for byte 0x00, so text with that byte would lose it;"
                + " it is not a complete byte-level BPE vocabulary",
                refusal(root -> model(root).put("end_of_word_suffix", "</w>")));
    }

    @Test
    void anEndOfWordSuffixIsAppliedAsHfDoes() throws IOException {
        // OpenAI GPT / CLIP style: a word's last character carries "</w>", and merges build on it.
        Consumer<ObjectNode> suffixed = root -> {
            root.putArray("added_tokens");
            root.putObject("pre_tokenizer").put("type", "WhitespaceSplit");
            root.putObject("decoder").put("type", "BPEDecoder").put("suffix", "</w>");
            ObjectNode vocab = model(root).put("end_of_word_suffix", "</w>").putObject("vocab");
            List.of("h", "e", "l", "o</w>", "he", "ll", "hell", "hello</w>").forEach(t -> vocab.put(t, vocab.size()));
            model(root).putArray("merges").add("h e").add("l l").add("he ll").add("hell o</w>");
        };
        TokenizerJsonTokenizer tokenizer = read(suffixed);
        assertArrayEquals(new int[] {7, 7}, tokenizer.encode("hello hello"));
        assertEquals("hello hello", tokenizer.decode(7, 7));
        assertTrue(refusal(suffixed.andThen(root -> ((ObjectNode) root.get("model").get("vocab")).put("ho</w>", 8)))
                .contains("1 vocabulary tokens of " + file() + " model.vocab (ids 8 and up, e.g. 'ho</w>')"));
        assertTrue(refusal(suffixed.andThen(root -> ((ObjectNode) root.get("model").get("vocab")).put("</w>", 8)))
                .contains("e.g. '</w>'"));
    }

    @Test
    void byteTokensStandInOnlyWithByteFallback() throws IOException {
        assertTrue(refusal(root -> {
            ((ObjectNode) root.get("model").get("vocab")).remove(List.of("Ġ", "Ġhello", "Ġworld"));
            merges(root).remove(9);
            merges(root).remove(4);
            ObjectNode vocab = (ObjectNode) root.get("model").get("vocab");
            for (int b = 0; b < 256; b++) {
                vocab.put(String.format("<0x%02X>", b), VOCAB_SIZE + b);
            }
        }).contains("has no token 'Ġ' for byte 0x20"));
    }

    @Test
    void anUnknownTokenOrByteFallbackStandsInForMissingBytes() throws IOException {
        Consumer<ObjectNode> withoutSpace = root -> {
            ((ObjectNode) root.get("model").get("vocab")).remove(List.of("Ġ", "Ġhello", "Ġworld"));
            merges(root).remove(9);
            merges(root).remove(4);
        };
        TokenizerJsonTokenizer unk = read(withoutSpace.andThen(root -> {
            ((ObjectNode) root.get("model").get("vocab")).put("<unk>", VOCAB_SIZE);
            model(root).put("unk_token", "<unk>");
        }));
        assertArrayEquals(new int[] {HELLO, VOCAB_SIZE, HELLO}, unk.encode("hello hello"));

        TokenizerJsonTokenizer fallback = read(withoutSpace.andThen(root -> {
            ObjectNode vocab = (ObjectNode) root.get("model").get("vocab");
            for (int b = 0; b < 256; b++) {
                vocab.put(String.format("<0x%02X>", b), VOCAB_SIZE + b);
            }
            model(root).put("byte_fallback", true);
        }));
        // The model sees the space as 'Ġ' (U+0120), whose UTF-8 bytes c4 a0 fall back to two byte tokens.
        assertArrayEquals(new int[] {HELLO, VOCAB_SIZE + 0xC4, VOCAB_SIZE + 0xA0, HELLO},
                fallback.encode("hello hello"));

        // An unknown token the vocabulary lacks, or byte fallback without every byte token, leaves holes.
        assertTrue(refusal(withoutSpace.andThen(root -> model(root).put("unk_token", "<unk>")))
                .contains("has no token 'Ġ' for byte 0x20"));
        assertTrue(refusal(withoutSpace.andThen(root -> {
            ((ObjectNode) root.get("model").get("vocab")).put("<0x20>", VOCAB_SIZE);
            model(root).put("byte_fallback", true);
        })).contains("has no token 'Ġ' for byte 0x20"));
    }

    @Test
    void aSequenceWithByteLevelIsByteLevel() throws IOException {
        // Qwen2 and Llama 3 split with a regex first, then map bytes: the alphabet check applies to them too.
        Consumer<ObjectNode> sequence = root -> {
            ObjectNode byteLevel = ((ObjectNode) root.get("pre_tokenizer")).put("use_regex", false);
            ArrayNode steps = root.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers");
            steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false)
                    .putObject("pattern").put("Regex", " ?\\p{L}+|[^\\s\\p{L}]+|\\s+");
            steps.add(byteLevel);
        };
        TokenizerJsonTokenizer tokenizer = read(sequence);
        assertArrayEquals(SENTENCE_IDS, tokenizer.encode(SENTENCE));
        assertEquals("byte-level BPE from tokenizer.json (267 tokens)", tokenizer.description());
        assertTrue(refusal(sequence.andThen(root -> {
            ((ObjectNode) root.get("model").get("vocab")).remove("Ā");
        })).contains("has no token 'Ā' for byte 0x00"));
    }

    @Test
    void aSequenceWithoutByteLevelIsNotByteLevel() throws IOException {
        TokenizerJsonTokenizer tokenizer = read(root -> {
            root.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers").addObject()
                    .put("type", "WhitespaceSplit");
            ((ObjectNode) root.get("model").get("vocab")).remove("Ā");
        });
        assertEquals("BPE from tokenizer.json (267 tokens)", tokenizer.description());
    }

    @Test
    void withoutByteLevelPreTokenizationMissingCharactersAreTheModelsBusiness() throws IOException {
        // A Metaspace or whitespace BPE has an open alphabet, so no byte is required (HF drops what it lacks).
        TokenizerJsonTokenizer tokenizer = read(root -> {
            root.putObject("pre_tokenizer").put("type", "WhitespaceSplit");
            ((ObjectNode) root.get("model").get("vocab")).remove("Ā");
        });
        assertArrayEquals(new int[] {HELLO, HELLO}, tokenizer.encode("hello\u0000 hello"));
        assertEquals("BPE from tokenizer.json (267 tokens)", tokenizer.description());
    }
}
