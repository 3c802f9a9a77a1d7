package io.circuitscope.core.tokenizer;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.io.AtomicFileWriter;
import io.circuitscope.core.io.IoFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** Reads a {@code vocab.txt} file. */
    public static WordLevelTokenizer read(Path vocabTxt) {
        try (InputStream in = Files.newInputStream(vocabTxt)) {
            return read(in, vocabTxt.toString(), String.valueOf(vocabTxt.getFileName()));
        } catch (NoSuchFileException e) {
            throw new CircuitscopeException("cannot read " + vocabTxt + ": it does not exist", e);
        } catch (IOException e) {
            throw new CircuitscopeException("cannot read " + vocabTxt + ": " + e, e);
        }
    }

    /** Reads {@code vocab.txt} content from a stream, e.g. a classpath resource, naming it {@code sourceName}. */
    public static WordLevelTokenizer read(InputStream in, String sourceName) {
        try {
            return read(in, sourceName, sourceName);
        } catch (IOException e) {
            throw new CircuitscopeException("cannot read " + sourceName + ": " + e, e);
        }
    }

    private static WordLevelTokenizer read(InputStream in, String source, String label) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()));
        List<String> lines = new ArrayList<>();
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lines.add(lines.isEmpty() && line.startsWith("\uFEFF") ? line.substring(1) : line);
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return new WordLevelTokenizer(lines, source, label, id -> source + " line " + (id + 1));
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
