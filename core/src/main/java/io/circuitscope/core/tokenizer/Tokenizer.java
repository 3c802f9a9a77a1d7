package io.circuitscope.core.tokenizer;

import java.util.OptionalInt;

/** Turns ordinary text into a model's token ids and ids back into text, adding no BOS or other special tokens. */
public interface Tokenizer {

    /**
     * Encodes {@code text} as ordinary text: special-token spellings such as {@code <|endoftext|>} or {@code <s>} get
     * no special id but are tokenized like any other text, as HF tokenizers does with {@code split_special_tokens=True}
     * (an added token that is not special, such as Pythia's whitespace runs, is still matched, as HF matches it).
     */
    int[] encode(String text);

    /** Decodes ids to text; an id this tokenizer does not know is a {@link io.circuitscope.core.CircuitscopeException}. */
    String decode(int... ids);

    /** The size of the id space: every id this tokenizer can produce or decode is below it. */
    int vocabSize();

    /** A short human-readable name, e.g. "GPT-2 BPE (r50k_base)". */
    String description();

    /**
     * Encodes {@code text} as it tokenizes after earlier text, for prompts assembled from pieces. For most
     * tokenizers this is {@link #encode}; a SentencePiece-style tokenizer (Llama, Mistral) marks the start of every
     * text it encodes with a word boundary, which a piece in mid-sentence must not get.
     */
    default int[] encodeContinuation(String text) {
        return encode(text);
    }

    /**
     * The id of {@code text} when, in mid-sentence, it is exactly one token, as IOI needs for names like " Mary".
     */
    default OptionalInt singleToken(String text) {
        int[] ids = encodeContinuation(text);
        return ids.length == 1 ? OptionalInt.of(ids[0]) : OptionalInt.empty();
    }
}
