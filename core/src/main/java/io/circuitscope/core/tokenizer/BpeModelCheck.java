package io.circuitscope.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.circuitscope.core.CircuitscopeException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Refuses a BPE model that the tokenizers library would load but then crash on, tokenize at random, or tokenize
 * silently wrong: dropout, merges it cannot apply, a byte-level alphabet with holes, and merges cut short.
 */
final class BpeModelCheck {

    /** Special tokens in the GPT-2 convention, such as {@code <|endoftext|>}: matched whole, never merged. */
    private static final Pattern GPT2_SPECIAL = Pattern.compile("<\\|[^|]*\\|>");
    /** SentencePiece's byte tokens, which byte_fallback emits for characters outside the vocabulary. */
    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x[0-9A-F]{2}>");

    private final JsonNode model;
    private final TokenizerJsonVocabulary vocab;
    private final TokenizerFiles files;
    private final String prefix;
    private final String suffix;

    private BpeModelCheck(JsonNode model, TokenizerJsonVocabulary vocab, TokenizerFiles files) {
        this.model = model;
        this.vocab = vocab;
        this.files = files;
        this.prefix = model.path("continuing_subword_prefix").asText("");
        this.suffix = model.path("end_of_word_suffix").asText("");
    }

    /** Whether {@code root}, a parsed tokenizer.json, has a BPE model (its type may be missing if merges are there). */
    static boolean isBpe(JsonNode root) {
        JsonNode model = root.path("model");
        return model.has("type") ? "BPE".equals(model.get("type").asText()) : model.has("merges");
    }

    /** Whether the pre-tokenizer, alone or in a sequence, is GPT-2's ByteLevel, so every word is spelled in bytes. */
    static boolean isByteLevel(JsonNode root) {
        JsonNode pre = root.path("pre_tokenizer");
        if ("Sequence".equals(pre.path("type").asText())) {
            for (JsonNode step : pre.path("pretokenizers")) {
                if ("ByteLevel".equals(step.path("type").asText())) {
                    return true;
                }
            }
            return false;
        }
        return "ByteLevel".equals(pre.path("type").asText());
    }

    /** Checks the BPE model of {@code root} against {@code vocab}, read from the same file. */
    static void check(JsonNode root, TokenizerJsonVocabulary vocab, TokenizerFiles files) {
        BpeModelCheck check = new BpeModelCheck(root.path("model"), vocab, files);
        check.requireNoDropout();
        Set<String> merged = check.mergeResults();
        if (isByteLevel(root) && !check.unknownCharactersHaveATokenInstead()) {
            check.requireEveryByte();
        }
        // With ignore_merges a word found in the vocabulary is one token, so a token no merge makes is still reachable.
        if (!check.model.path("ignore_merges").asBoolean(false)) {
            check.requireEveryTokenMergeable(merged);
        }
    }

    private void requireNoDropout() {
        JsonNode dropout = model.path("dropout");
        if (dropout.isNumber() && dropout.doubleValue() > 0) {
            throw new CircuitscopeException(files.file() + " model.dropout is "
                    + dropout + "; BPE dropout tokenizes at random, and the same text must always give the same ids");
        }
    }

    /**
     * Checks each merge and returns the tokens the merges make. The library makes {@code left + right} minus the
     * continuing-subword prefix of {@code right}, and cuts that prefix off without looking, which aborts the whole
     * JVM when {@code right} is shorter; so a right half without the prefix is refused here.
     */
    private Set<String> mergeResults() {
        JsonNode merges = model.path("merges");
        if (!merges.isArray()) {
            throw new CircuitscopeException(files.merges() + " is not a list; a BPE model needs its merges");
        }
        Map<String, Integer> tokens = vocab.model();
        Set<String> made = new HashSet<>();
        Map<List<String>, Integer> seen = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) {
            String[] pair = pair(merges.get(i), files.merge().apply(i));
            String rule = files.merge().apply(i) + ": merge '" + pair[0] + " " + pair[1] + "'";
            Integer earlier = seen.putIfAbsent(List.of(pair), i);
            if (earlier != null) {
                // The library would keep the later rank of a repeated merge; a list written by a trainer has none.
                throw new CircuitscopeException(rule + " repeats " + files.merge().apply(earlier));
            }
            for (String half : pair) {
                if (!tokens.containsKey(half)) {
                    throw new CircuitscopeException(rule + " joins '" + half + "', which is not in the vocabulary ("
                            + files.vocab() + ")");
                }
            }
            if (!pair[1].startsWith(prefix)) {
                throw new CircuitscopeException(rule + " joins '" + pair[1] + "', which lacks the"
                        + " continuing_subword_prefix '" + prefix + "'");
            }
            String result = pair[0] + pair[1].substring(prefix.length());
            if (!tokens.containsKey(result)) {
                throw new CircuitscopeException(rule + " makes '" + result + "', which is not in the vocabulary ("
                        + files.vocab() + ")");
            }
            made.add(result);
        }
        return made;
    }

    /** A merge written "a b" (tokenizers before 0.20) or ["a", "b"]. */
    private static String[] pair(JsonNode entry, String where) {
        if (entry.isTextual()) {
            String[] parts = entry.textValue().split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new CircuitscopeException(where + ": expected two tokens separated by one space, got '"
                        + entry.textValue() + "'");
            }
            return parts;
        }
        if (entry.isArray() && entry.size() == 2 && entry.get(0).isTextual() && entry.get(1).isTextual()
                && !entry.get(0).textValue().isEmpty() && !entry.get(1).textValue().isEmpty()) {
            return new String[] {entry.get(0).textValue(), entry.get(1).textValue()};
        }
        throw new CircuitscopeException(where + ": expected \"a b\" or [\"a\", \"b\"], got " + entry);
    }

    /** Whether a character missing from the vocabulary becomes the unknown token or byte tokens, not nothing. */
    private boolean unknownCharactersHaveATokenInstead() {
        JsonNode unk = model.path("unk_token");
        if (unk.isTextual() && vocab.model().containsKey(unk.textValue())) {
            return true;
        }
        if (!model.path("byte_fallback").asBoolean(false)) {
            return false;
        }
        for (int b = 0; b < 256; b++) {
            if (!vocab.model().containsKey(String.format("<0x%02X>", b))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every byte needs its token in every position a word can put it (first, inner, last, alone), since the library
     * drops a character it has no token for without a word, and the text would lose it.
     */
    private void requireEveryByte() {
        for (int b = 0; b < 256; b++) {
            String c = String.valueOf(ByteLevelAlphabet.charFor(b));
            for (String spelling : new String[] {c, prefix + c, c + suffix, prefix + c + suffix}) {
                if (!vocab.model().containsKey(spelling)) {
                    throw new CircuitscopeException(String.format("%s has no token '%s' for byte 0x%02x, so text"
                            + " with that byte would lose it; it is not a complete byte-level BPE vocabulary",
                            files.vocab(), spelling, b));
                }
            }
        }
    }

    /**
     * Every vocabulary token longer than one character must be the result of some merge, or BPE could never produce
     * it: such a token means the merges were cut short (a truncated merges list silently re-tokenizes text). Added
     * tokens, the unknown token, GPT-2 style special tokens and byte-fallback tokens are emitted whole, not merged,
     * and are exempt.
     */
    private void requireEveryTokenMergeable(Set<String> merged) {
        Set<String> emittedWhole = new HashSet<>();
        vocab.added().forEach(token -> emittedWhole.add(token.content()));
        emittedWhole.add(model.path("unk_token").asText(""));
        boolean byteFallback = model.path("byte_fallback").asBoolean(false);
        List<String> orphans = new ArrayList<>();
        for (String token : vocab.model().keySet()) {
            boolean whole = emittedWhole.contains(token) || GPT2_SPECIAL.matcher(token).matches()
                    || (byteFallback && BYTE_TOKEN.matcher(token).matches());
            if (!whole && !isSingleCharacter(token) && !merged.contains(token)) {
                orphans.add(token);
            }
        }
        if (!orphans.isEmpty()) {
            orphans.sort(Comparator.comparing(vocab.model()::get));
            throw new CircuitscopeException(files.merges() + ": the merges are incomplete or truncated: "
                    + orphans.size() + " vocabulary tokens of " + files.vocab() + " (ids "
                    + vocab.model().get(orphans.get(0)) + " and up, e.g. '" + orphans.get(0) + "') are made by no"
                    + " merge, so text would be tokenized differently");
        }
    }

    /** A word's single character as BPE starts it: with the prefix when inside a word, the suffix when last. */
    private boolean isSingleCharacter(String token) {
        int length = codePoints(token);
        for (String start : new String[] {"", prefix}) {
            for (String end : new String[] {"", suffix}) {
                // One code point more than the affixes, so they cannot overlap and one character lies between.
                if (token.startsWith(start) && token.endsWith(end)
                        && length == codePoints(start) + codePoints(end) + 1) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }
}
