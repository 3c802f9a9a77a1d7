package io.circuitscope.wiki;

import io.circuitscope.spi.TokenVocabulary;
import java.util.Locale;
import java.util.Optional;

/**
 * Token ids as the text a reader sees: the vocabulary's token with whitespace and control characters made visible,
 * or {@code #id} when the model has no tokenizer. The text is raw; pages escape it when they print it.
 */
public final class TokenLabels {
    private final Optional<TokenVocabulary> vocabulary;
    private final int bos;

    public TokenLabels(Optional<TokenVocabulary> vocabulary, int bos) {
        this.vocabulary = vocabulary;
        this.bos = bos;
    }

    /** The display text of a token. */
    public String label(int id) {
        if (id == bos) {
            return "<BOS>";
        }
        String text;
        try {
            text = vocabulary.map(v -> v.token(id)).orElse("");
        } catch (RuntimeException e) {
            // An id the tokenizer cannot name still gets a label.
            text = "";
        }
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c == ' ') {
                out.append('\u00b7');
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (Character.isISOControl(c)) {
                out.append(String.format(Locale.ROOT, "\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.length() == 0 ? "#" + id : out.toString();
    }

    /** A prompt as one line of text, tokens separated by a thin divider. */
    public String prompt(int[] tokens) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < tokens.length; i++) {
            out.append(i == 0 ? "" : " | ").append(label(tokens[i]));
        }
        return out.toString();
    }
}
