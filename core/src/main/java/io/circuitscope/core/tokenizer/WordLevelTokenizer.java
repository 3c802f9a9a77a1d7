package io.circuitscope.core.tokenizer;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.io.AtomicFileWriter;
import io.circuitscope.core.io.IoFailure;
import io.circuitscope.core.io.StrictJson;
import io.circuitscope.core.io.Utf8Text;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A word-level vocabulary ({@code vocab.txt}: one token per line, line number = id) that encodes text split on
 * whitespace, with each of . , ! ? ; : a token of its own.
 */
public final class WordLevelTokenizer implements Tokenizer {

    /** A run of characters that are neither whitespace nor split punctuation, or one split punctuation character. */
    private static final Pattern WORD = Pattern.compile("[^\\s.,!?;:]+|[.,!?;:]", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WHITESPACE = Pattern.compile("\\s", Pattern.UNICODE_CHARACTER_CLASS);

    private final List<String> tokens;
    private final Map<String, Integer> ids;
    private final String source;
    private final String label;

    /** A vocabulary from tokens in id order, e.g. one the project builds itself before {@link #write}. */
    public WordLevelTokenizer(List<String> tokens) {
        this(tokens, "the given vocabulary", "vocabulary", id -> "the given vocabulary, id " + id);
    }

    private WordLevelTokenizer(List<String> tokens, String source, String label, IntFunction<String> location) {
        this.tokens = List.copyOf(tokens);
        this.ids = new HashMap<>(tokens.size() * 2);
        this.source = source;
        this.label = label;
        for (int id = 0; id < this.tokens.size(); id++) {
            String token = this.tokens.get(id);
            String where = location.apply(id);
            // A token with whitespace could never be encoded, and a newline in it would corrupt vocab.txt.
            if (token.isEmpty() || WHITESPACE.matcher(token).find()) {
                throw new CircuitscopeException(where + ": token '" + token + "' is empty or contains whitespace");
            }
            Integer earlier = ids.putIfAbsent(token, id);
            if (earlier != null) {
                throw new CircuitscopeException(where + ": duplicate token '" + token + "' (already id " + earlier
                        + ")");
            }
        }
    }

    /**
     * Reads a {@code vocab.txt} file: strict UTF-8, one token per line, every line ended by a newline, so that a file
     * cut off in the middle of a token is refused rather than read as a shorter vocabulary.
     *
     * @param maxTokens the model's vocabulary size; a longer file is refused before its tokens are indexed
     */
    public static WordLevelTokenizer read(Path vocabTxt, int maxTokens) {
        String text = Utf8Text.read(vocabTxt, StrictJson.TOKENIZER_FILE_LIMIT);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.isEmpty()) {
            throw new CircuitscopeException(vocabTxt + ": empty file; expected one token per line");
        }
        if (!text.endsWith("\n")) {
            String last = text.substring(text.lastIndexOf('\n') + 1);
            throw new CircuitscopeException(vocabTxt + ": the last line ('" + last + "') does not end with a newline;"
                    + " the file looks truncated");
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        if (lines.size() > maxTokens) {
            throw new CircuitscopeException(vocabTxt + ": " + lines.size() + " tokens, but the model's vocabulary"
                    + " has only " + maxTokens);
        }
        String source = vocabTxt.toString();
        return new WordLevelTokenizer(lines, source, String.valueOf(vocabTxt.getFileName()),
                id -> source + " line " + (id + 1));
    }

    /** Writes this vocabulary as {@code vocab.txt}, atomically, so a reader never sees a half-written file. */
    public void write(Path vocabTxt) {
        try {
            AtomicFileWriter.writeBytes(vocabTxt, (String.join("\n", tokens) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CircuitscopeException(vocabTxt + ": cannot write: " + IoFailure.describe(e), e);
        }
    }

    /** The words {@link #encode} looks up for a text, in order; used to build a vocabulary that covers a corpus. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher words = WORD.matcher(text);
        while (words.find()) {
            out.add(words.group());
        }
        return out;
    }

    @Override
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        for (String word : words(text)) {
            Integer id = ids.get(word);
            if (id == null) {
                throw new CircuitscopeException("word '" + word + "' is not in the vocabulary of " + source
                        + " (" + tokens.size() + " tokens)");
            }
            out.add(id);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Looks the word up rather than encoding it, since {@link #encode} refuses a word outside the vocabulary. */
    @Override
    public OptionalInt singleToken(String text) {
        List<String> w = words(text);
        Integer id = w.size() == 1 ? ids.get(w.get(0)) : null;
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public String decode(int... ids) {
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= tokens.size()) {
                throw new CircuitscopeException("token id " + id + " is not in the vocabulary of " + source
                        + " (" + tokens.size() + " tokens)");
            }
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(tokens.get(id));
        }
        return text.toString();
    }

    @Override
    public int vocabSize() {
        return tokens.size();
    }

    @Override
    public String description() {
        return "word-level " + label + " (" + tokens.size() + " tokens)";
    }

}
