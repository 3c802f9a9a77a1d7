package io.circuitscope.core.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A tiny GPT-2 style byte-level BPE: the 256 byte tokens in GPT-2's id order, ten hand-written merges, one special. */
public final class ByteLevelFixture {

    /** Merges in priority order; the i-th makes id 256 + i. */
    public static final List<String> MERGES = List.of(
            "h e",        // 256 he
            "l l",        // 257 ll
            "he ll",      // 258 hell
            "hell o",     // 259 hello
            "Ġ hello",    // 260 Ġhello
            "w o",        // 261 wo
            "r l",        // 262 rl
            "wo rl",      // 263 worl
            "worl d",     // 264 world
            "Ġ world");   // 265 Ġworld

    public static final int HELLO = 259;
    public static final int SPACE_HELLO = 260;
    public static final int SPACE_WORLD = 265;
    public static final int END_OF_TEXT = 266;
    /** "!" is byte 33, the first printable byte, so GPT-2 gives it id 0. */
    public static final int EXCLAMATION = 0;
    public static final int VOCAB_SIZE = 267;
    /** A model vocabulary comfortably larger than the fixture's ids. */
    public static final int LIMIT = 1000;
    public static final String SENTENCE = "hello hello world!";
    public static final int[] SENTENCE_IDS = {HELLO, SPACE_HELLO, SPACE_WORLD, EXCLAMATION};

    private static final ObjectMapper JSON = new ObjectMapper();

    private ByteLevelFixture() {
    }

    /** Token to id, ids 0..255 being single bytes ordered by their spelling's code point, as in GPT-2's vocab.json. */
    public static Map<String, Integer> vocab() {
        List<String> byteTokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            byteTokens.add(String.valueOf(ByteLevelAlphabet.charFor(b)));
        }
        byteTokens.sort(null);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        byteTokens.forEach(token -> vocab.put(token, vocab.size()));
        MERGES.forEach(merge -> vocab.put(merge.replace(" ", ""), vocab.size()));
        vocab.put("<|endoftext|>", vocab.size());
        return vocab;
    }

    public static void writeVocabAndMerges(Path dir, Map<String, Integer> vocab, List<String> merges) throws IOException {
        JSON.writeValue(dir.resolve("vocab.json").toFile(), vocab);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n");
    }

    /** Writes a HF tokenizer.json; {@code pairMerges} spells merges as ["a", "b"] (tokenizers 0.20+), else "a b". */
    public static Path writeTokenizerJson(Path dir, boolean pairMerges) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        addedToken(root.putArray("added_tokens"), END_OF_TEXT, "<|endoftext|>", true);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode model = root.putObject("model");
        // The options GPT-2's own tokenizer.json spells out, each at its no-op value.
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").put("continuing_subword_prefix", "")
                .put("end_of_word_suffix", "").put("fuse_unk", false).put("byte_fallback", false)
                .put("ignore_merges", false);
        model.set("vocab", JSON.valueToTree(vocab()));
        ArrayNode merges = model.putArray("merges");
        for (String merge : MERGES) {
            if (pairMerges) {
                String[] parts = merge.split(" ");
                merges.addArray().add(parts[0]).add(parts[1]);
            } else {
                merges.add(merge);
            }
        }
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), root);
        return file;
    }

    /** Appends an added token with every field HF writes, as the tokenizers library requires them all. */
    public static ObjectNode addedToken(ArrayNode addedTokens, int id, String content, boolean special) {
        return addedTokens.addObject().put("id", id).put("content", content).put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", !special).put("special", special);
    }

    /** Writes the fixture's tokenizer.json ("a b" merges) with one change applied. */
    public static Path writeTokenizerJson(Path dir, Consumer<ObjectNode> change) throws IOException {
        Path file = writeTokenizerJson(dir, false);
        ObjectNode root = readTree(file);
        change.accept(root);
        writeTree(file, root);
        return file;
    }

    /** Parses a tokenizer.json so a test can alter one field and write it back. */
    public static ObjectNode readTree(Path file) throws IOException {
        return (ObjectNode) JSON.readTree(file.toFile());
    }

    public static void writeTree(Path file, ObjectNode root) throws IOException {
        JSON.writeValue(file.toFile(), root);
    }

    /** The message with which reading the fixture, changed by {@code change}, is refused. */
    static String refusal(Path dir, Consumer<ObjectNode> change) throws IOException {
        Path file = writeTokenizerJson(dir, change);
        return org.junit.jupiter.api.Assertions.assertThrows(io.circuitscope.core.CircuitscopeException.class,
                () -> TokenizerJsonTokenizer.read(file, LIMIT)).getMessage();
    }

    /** The tokenizer.json's model object. */
    static ObjectNode model(ObjectNode root) {
        return (ObjectNode) root.get("model");
    }
}
