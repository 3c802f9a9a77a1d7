package io.circuitscope.core.tokenizer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.io.StrictJson;
import io.circuitscope.core.io.Utf8Text;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A GPT-2 style {@code vocab.json} + {@code merges.txt} pair turned into the tokenizer.json that HF's
 * {@code GPT2TokenizerFast} builds from it: byte-level pre-tokenization and decoding around a BPE model, no
 * normalizer and no added tokens (its {@code <|endoftext|>} stays a vocabulary token, so text never matches it).
 */
final class Gpt2VocabAndMerges {

    private Gpt2VocabAndMerges() {
    }

    /** The tokenizer.json, with where its parts came from; the merges' lines are checked here, all else later. */
    static TokenizerJsonTokenizer load(Path vocabJson, Path mergesTxt, int maxVocab) {
        ObjectNode vocab = (ObjectNode) StrictJson.readObject(vocabJson, StrictJson.TOKENIZER_FILE_LIMIT);
        List<Integer> lineNumbers = new ArrayList<>();
        ArrayNode merges = JsonNodeFactory.instance.arrayNode();
        String[] lines = Utf8Text.read(mergesTxt, StrictJson.TOKENIZER_FILE_LIMIT).split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            // HF's GPT2Tokenizer skips the "#version" header; blank lines, usually the last, hold no merge.
            if ((i == 0 && line.startsWith("#version")) || line.isBlank()) {
                continue;
            }
            // A merge line is two tokens and one space; kept as text so a malformed line is named by its number.
            merges.add(line);
            lineNumbers.add(i + 1);
        }
        TokenizerFiles files = new TokenizerFiles(vocabJson.toString(), vocabJson.toString(), mergesTxt.toString(),
                i -> mergesTxt + " line " + lineNumbers.get(i),
                vocabJson.getFileName() + " + " + mergesTxt.getFileName());
        return TokenizerJsonTokenizer.load(tokenizerJson(vocab, merges), files, maxVocab);
    }

    private static ObjectNode tokenizerJson(ObjectNode vocab, ArrayNode merges) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("version", "1.0");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", true);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true)
                .put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
                .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false)
                .put("ignore_merges", false);
        model.set("vocab", vocab);
        model.set("merges", merges);
        return root;
    }
}
