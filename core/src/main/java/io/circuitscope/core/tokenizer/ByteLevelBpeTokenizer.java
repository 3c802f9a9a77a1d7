package io.circuitscope.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.GptBytePairEncodingParams;
import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.io.StrictJson;
import io.circuitscope.core.io.Utf8Text;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * A GPT-2 style byte-level BPE read from a HF {@code vocab.json} + {@code merges.txt} pair or a HF
 * {@code tokenizer.json}, encoding text with GPT-2's pre-tokenization as HF's tokenizer would.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {

    /** GPT-2's pre-tokenization regex, the same one r50k_base uses. */
    private static final Pattern GPT2_SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final String ENCODING_NAME = "circuitscope-byte-level-bpe";
    /** Special tokens in the GPT-2 convention, such as {@code <|endoftext|>}: matched whole, never merged. */
    private static final Pattern SPECIAL_TOKEN = Pattern.compile("<\\|[^|]*\\|>");

    private final Encoding encoding;
    private final byte[][] bytesById;
    private final UnaryOperator<String> normalizer;
    private final String source;
    private final String label;

    private ByteLevelBpeTokenizer(Encoding encoding, byte[][] bytesById, UnaryOperator<String> normalizer,
                                  String source, String label) {
        this.encoding = encoding;
        this.bytesById = bytesById;
        this.normalizer = normalizer;
        this.source = source;
        this.label = label;
    }

    /**
     * Reads a GPT-2 style {@code vocab.json} (token to id) and {@code merges.txt} (one "a b" merge per line).
     *
     * @param maxVocab the model's vocabulary size; any id at or above it is refused before anything is sized by it
     */
    public static ByteLevelBpeTokenizer fromVocabAndMerges(Path vocabJson, Path mergesTxt, int maxVocab) {
        Map<String, Integer> vocab = readVocab(readJson(vocabJson), vocabJson.toString(), maxVocab);
        List<Merge> merges = readMergesTxt(mergesTxt);
        return build(vocab, merges, Map.of(), UnaryOperator.identity(), vocabJson.toString(), mergesTxt.toString(),
                vocabJson.getFileName() + " + " + mergesTxt.getFileName());
    }

    /**
     * Reads a HF {@code tokenizer.json} with a BPE model and GPT-2's ByteLevel pre-tokenizer; any model option that
     * would change tokenization and is not implemented is refused.
     *
     * @param maxVocab the model's vocabulary size; any id at or above it is refused before anything is sized by it
     */
    public static ByteLevelBpeTokenizer fromTokenizerJson(Path tokenizerJson, int maxVocab) {
        String source = tokenizerJson.toString();
        JsonNode root = readJson(tokenizerJson);
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText())) {
            throw new CircuitscopeException(source + ": model.type is '" + model.path("type").asText()
                    + "'; only BPE tokenizers are supported");
        }
        requirePlainBpe(model, source);
        requireGpt2PreTokenizer(root.path("pre_tokenizer"), source);
        Map<String, Integer> vocab = readVocab(model.path("vocab"), source + " model.vocab", maxVocab);
        List<Merge> merges = readJsonMerges(model.path("merges"), source);
        return build(vocab, merges, readAddedTokens(root.path("added_tokens"), source, maxVocab),
                normalizer(root.path("normalizer"), source), source, source + " model.merges",
                String.valueOf(tokenizerJson.getFileName()));
    }

    @Override
    public int[] encode(String text) {
        return encoding.encodeOrdinary(normalizer.apply(text)).toArray();
    }

    @Override
    public String decode(int... ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 0 || id >= bytesById.length || bytesById[id] == null) {
                throw new CircuitscopeException("token id " + id + " is not in the vocabulary of " + source
                        + " (" + vocabSize() + " tokens)");
            }
            out.writeBytes(bytesById[id]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return bytesById.length;
    }

    @Override
    public String description() {
        return "byte-level BPE from " + label + " (" + vocabSize() + " tokens)";
    }

    /** One merge rule, with where it was read for error messages. */
    private record Merge(String left, String right, String where) {
    }

    private static ByteLevelBpeTokenizer build(Map<String, Integer> vocab, List<Merge> merges,
                                               Map<Integer, String> addedTokens, UnaryOperator<String> normalizer,
                                               String source, String mergesSource, String label) {
        GptBytePairEncodingParams params =
                new GptBytePairEncodingParams(ENCODING_NAME, GPT2_SPLIT, ranks(vocab, merges, source), Map.of());
        requireEveryTokenMergeable(vocab, merges, addedTokens, source, mergesSource);
        Encoding encoding = Encodings.newLazyEncodingRegistry().registerGptBytePairEncoding(params)
                .getEncoding(ENCODING_NAME).orElseThrow();
        return new ByteLevelBpeTokenizer(encoding, bytesById(vocab, addedTokens), normalizer, source, label);
    }

    /**
     * The ranks jtokkit merges by: the 256 single bytes plus every merge result, each ranked by its token id.
     *
     * <p>jtokkit runs tiktoken's BPE, which repeatedly joins the adjacent pair whose concatenation has the lowest rank,
     * while HF applies merges in merges-file order. Ids can serve as ranks because byte-level BPE trainers (GPT-2's, HF
     * tokenizers) append each merged token to the vocabulary when its merge is learned, so merge priority equals id
     * order; r50k_base is GPT-2's vocab.json ranked exactly this way. The assumption is checked, not trusted.
     */
    private static Map<byte[], Integer> ranks(Map<String, Integer> vocab, List<Merge> merges, String source) {
        Map<byte[], Integer> ranks = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            String spelling = String.valueOf(ByteLevelAlphabet.charFor(b));
            Integer id = vocab.get(spelling);
            if (id == null) {
                // Without every byte, text with that byte could not be encoded at all.
                throw new CircuitscopeException(String.format("%s has no token for byte 0x%02x ('%s'); it is not a"
                        + " GPT-2 style byte-level BPE vocabulary", source, b, spelling));
            }
            ranks.put(new byte[] {(byte) b}, id);
        }
        int previousId = -1;
        for (Merge merge : merges) {
            String merged = merge.left() + merge.right();
            String rule = "merge '" + merge.left() + " " + merge.right() + "'";
            Integer id = vocab.get(merged);
            if (id == null) {
                throw new CircuitscopeException(merge.where() + ": " + rule + " makes '" + merged
                        + "', which is not in the vocabulary (" + source + ")");
            }
            if (id <= previousId) {
                throw new CircuitscopeException(merge.where() + ": " + rule + " makes id " + id
                        + " after an earlier merge made id " + previousId + "; merge order differs from id order;"
                        + " unsupported");
            }
            previousId = id;
            ranks.put(ByteLevelAlphabet.bytesOf(merged).orElseThrow(() -> new CircuitscopeException(
                    merge.where() + ": " + rule + " is not spelled in GPT-2's byte-level alphabet")), id);
        }
        return ranks;
    }

    /**
     * Every vocabulary token longer than one byte must be the result of some merge, or BPE could never produce it:
     * such a token means the merges were cut short (a truncated merges.txt silently re-tokenizes text). Added tokens
     * and GPT-2-style special tokens such as {@code <|endoftext|>} are matched whole, not merged, and are exempt.
     */
    private static void requireEveryTokenMergeable(Map<String, Integer> vocab, List<Merge> merges,
                                                   Map<Integer, String> addedTokens, String source,
                                                   String mergesSource) {
        Set<String> producible = new HashSet<>();
        for (Merge merge : merges) {
            producible.add(merge.left() + merge.right());
        }
        List<String> orphans = new ArrayList<>();
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            String token = e.getKey();
            boolean singleByte = token.codePointCount(0, token.length()) == 1 && ByteLevelAlphabet.bytesOf(token)
                    .map(b -> b.length == 1).orElse(false);
            if (!singleByte && !producible.contains(token) && !token.equals(addedTokens.get(e.getValue()))
                    && !SPECIAL_TOKEN.matcher(token).matches()) {
                orphans.add(token);
            }
        }
        if (!orphans.isEmpty()) {
            orphans.sort(Comparator.comparing(vocab::get));
            throw new CircuitscopeException(mergesSource + ": the merges are incomplete or truncated: "
                    + orphans.size() + " vocabulary tokens of " + source + " (ids " + vocab.get(orphans.get(0))
                    + " and up, e.g. '" + orphans.get(0) + "') are made by no merge, so text would be tokenized"
                    + " differently");
        }
    }

    /** Every id's bytes, null where no token has that id. */
    private static byte[][] bytesById(Map<String, Integer> vocab, Map<Integer, String> addedTokens) {
        int size = 1 + Math.max(
                vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1),
                addedTokens.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1));
        byte[][] bytesById = new byte[size][];
        vocab.forEach((token, id) -> bytesById[id] = spelledBytes(token));
        addedTokens.forEach((id, content) -> {
            if (bytesById[id] == null) {
                bytesById[id] = spelledBytes(content);
            }
        });
        return bytesById;
    }

    /**
     * A token's bytes as HF's ByteLevel decoder sees them: a token spelled entirely in the byte-level alphabet stands
     * for those bytes, any other (a literal special token such as "&lt;pad&gt;") for its own UTF-8.
     */
    private static byte[] spelledBytes(String token) {
        return ByteLevelAlphabet.bytesOf(token).orElseGet(() -> token.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Integer> readVocab(JsonNode node, String source, int maxVocab) {
        if (!node.isObject()) {
            throw new CircuitscopeException(source + " is not a JSON object mapping tokens to ids");
        }
        Map<String, Integer> vocab = new HashMap<>();
        Map<Integer, String> tokenById = new HashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode value = entry.getValue();
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
                throw new CircuitscopeException(source + ": token '" + entry.getKey() + "' has id " + value
                        + "; ids must be non-negative integers");
            }
            requireInVocabulary(value.intValue(), maxVocab, source + ": token '" + entry.getKey() + "'");
            String earlier = tokenById.putIfAbsent(value.intValue(), entry.getKey());
            if (earlier != null) {
                throw new CircuitscopeException(source + ": tokens '" + earlier + "' and '" + entry.getKey()
                        + "' both have id " + value.intValue());
            }
            vocab.put(entry.getKey(), value.intValue());
        }
        return vocab;
    }

    private static List<Merge> readMergesTxt(Path mergesTxt) {
        String[] lines = Utf8Text.read(mergesTxt, StrictJson.TOKENIZER_FILE_LIMIT).split("\r?\n", -1);
        List<Merge> merges = new ArrayList<>(lines.length);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if ((i == 0 && line.startsWith("#version")) || line.isBlank()) {
                continue;
            }
            merges.add(merge(line, mergesTxt + " line " + (i + 1)));
        }
        return merges;
    }

    private static List<Merge> readJsonMerges(JsonNode node, String source) {
        if (!node.isArray()) {
            throw new CircuitscopeException(source + " has no model.merges array");
        }
        List<Merge> merges = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            String where = source + " model.merges[" + i + "]";
            // Older tokenizers write "a b"; since tokenizers 0.20 a merge may be the pair ["a", "b"].
            if (entry.isTextual()) {
                merges.add(merge(entry.textValue(), where));
            } else if (entry.isArray() && entry.size() == 2 && entry.get(0).isTextual() && entry.get(1).isTextual()
                    && !entry.get(0).textValue().isEmpty() && !entry.get(1).textValue().isEmpty()) {
                merges.add(new Merge(entry.get(0).textValue(), entry.get(1).textValue(), where));
            } else {
                throw new CircuitscopeException(where + ": expected \"a b\" or [\"a\", \"b\"], got " + entry);
            }
        }
        return merges;
    }

    private static Merge merge(String text, String where) {
        String[] parts = text.split(" ", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new CircuitscopeException(where + ": expected two tokens separated by one space, got '" + text + "'");
        }
        return new Merge(parts[0], parts[1], where);
    }

    private static Map<Integer, String> readAddedTokens(JsonNode node, String source, int maxVocab) {
        Map<Integer, String> added = new HashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return added;
        }
        if (!node.isArray()) {
            throw new CircuitscopeException(source + ": added_tokens is " + node.getNodeType() + ", not a list");
        }
        for (JsonNode token : node) {
            JsonNode id = token.path("id");
            JsonNode content = token.path("content");
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0 || !content.isTextual()) {
                throw new CircuitscopeException(source + ": added token " + token + " needs an id and a content");
            }
            requireInVocabulary(id.intValue(), maxVocab, source + ": added token '" + content.textValue() + "'");
            added.put(id.intValue(), content.textValue());
        }
        return added;
    }

    /** Checks an id against the model's vocabulary before any array is sized by it; {@code what} names the token. */
    private static void requireInVocabulary(int id, int maxVocab, String what) {
        if (id >= maxVocab) {
            throw new CircuitscopeException(what + " has id " + id + ", but the model's vocabulary has only " + maxVocab
                    + " ids (0.." + (maxVocab - 1) + ")");
        }
    }

    /** Rejects pre-tokenizers other than GPT-2's, since encoding with the wrong split would silently give wrong ids. */
    private static void requireGpt2PreTokenizer(JsonNode preTokenizer, String source) {
        boolean gpt2 = "ByteLevel".equals(preTokenizer.path("type").textValue())
                && booleanOption(preTokenizer, "use_regex", true, source + " pre_tokenizer")
                && !booleanOption(preTokenizer, "add_prefix_space", false, source + " pre_tokenizer");
        if (!gpt2) {
            throw new CircuitscopeException(source + ": pre_tokenizer " + preTokenizer + " is not supported; only"
                    + " GPT-2's ByteLevel pre-tokenizer (use_regex, no add_prefix_space) is");
        }
    }

    /**
     * Refuses the BPE model options that change how text is split into tokens and that this tokenizer does not
     * implement, so a tokenizer.json using them can never be applied as if they were absent.
     */
    private static void requirePlainBpe(JsonNode model, String source) {
        String where = source + " model";
        for (String key : List.of("dropout", "continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode value = model.path(key);
            boolean unset = value.isMissingNode() || value.isNull()
                    || (value.isTextual() && value.textValue().isEmpty());
            if (!unset) {
                throw new CircuitscopeException(where + "." + key + " is " + value + "; only null is supported,"
                        + " since it changes tokenization");
            }
        }
        for (String key : List.of("byte_fallback", "ignore_merges")) {
            if (booleanOption(model, key, false, where)) {
                throw new CircuitscopeException(where + "." + key + " is true; only false is supported, since it"
                        + " changes tokenization");
            }
        }
        booleanOption(model, "fuse_unk", false, where);
    }

    /** A boolean option, its default when absent or null; any other JSON type is an error naming it. */
    private static boolean booleanOption(JsonNode parent, String key, boolean fallback, String where) {
        JsonNode value = parent.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new CircuitscopeException(where + "." + key + " is " + value + "; expected true or false");
        }
        return value.booleanValue();
    }

    /** The tokenizer.json normalizer: none, or one Unicode normal form (Pythia, for one, uses NFC). */
    private static UnaryOperator<String> normalizer(JsonNode normalizer, String source) {
        if (normalizer.isMissingNode() || normalizer.isNull()) {
            return UnaryOperator.identity();
        }
        String type = normalizer.path("type").asText();
        for (Normalizer.Form form : Normalizer.Form.values()) {
            if (form.name().equals(type)) {
                return text -> Normalizer.normalize(text, form);
            }
        }
        throw new CircuitscopeException(source + ": normalizer " + normalizer + " is not supported; only none, NFC,"
                + " NFD, NFKC or NFKD is");
    }

    private static JsonNode readJson(Path file) {
        return StrictJson.readObject(file, StrictJson.TOKENIZER_FILE_LIMIT);
    }
}
