package io.circuitscope.core.tokenizer;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.io.InputFile;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the tokenizer that comes with a model source, by the rules in DESIGN.md "Model sources"; empty when none. */
public final class TokenizerLoader {

    private TokenizerLoader() {
    }

    /**
     * The tokenizer of a HF layout directory: its {@code tokenizer.json}, else its {@code vocab.json} +
     * {@code merges.txt}, both run by the HF tokenizers library ({@link TokenizerJsonTokenizer}), else GPT-2's own
     * BPE when the model's vocabulary is GPT-2's size (50257).
     */
    public static Optional<Tokenizer> forHfDirectory(Path dir, int vocabSize) {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        Path vocabJson = dir.resolve("vocab.json");
        Path mergesTxt = dir.resolve("merges.txt");
        Tokenizer tokenizer;
        if (InputFile.isPresent(tokenizerJson)) {
            tokenizer = TokenizerJsonTokenizer.read(tokenizerJson, vocabSize);
        } else if (InputFile.isPresent(vocabJson) || InputFile.isPresent(mergesTxt)) {
            // One without the other is a broken download; falling back to another tokenizer would hide it.
            tokenizer = TokenizerJsonTokenizer.fromVocabAndMerges(
                    InputFile.requireRegular(vocabJson, "it comes with " + mergesTxt.getFileName()),
                    InputFile.requireRegular(mergesTxt, "it comes with " + vocabJson.getFileName()), vocabSize);
        } else if (vocabSize == Gpt2BpeTokenizer.VOCAB_SIZE) {
            tokenizer = new Gpt2BpeTokenizer();
        } else {
            return Optional.empty();
        }
        return Optional.of(tokenizer);
    }

    /** The tokenizer of a native directory: its word-level {@code vocab.txt}, if any, with exactly d_vocab tokens. */
    public static Optional<Tokenizer> forNativeDirectory(Path dir, int dVocab) {
        Path vocabTxt = dir.resolve("vocab.txt");
        if (!InputFile.isPresent(vocabTxt)) {
            return Optional.empty();
        }
        WordLevelTokenizer tokenizer = WordLevelTokenizer.read(vocabTxt, dVocab);
        // vocab.txt names every id; fewer lines means a file cut off at a line boundary, not a smaller vocabulary.
        if (tokenizer.vocabSize() != dVocab) {
            throw new CircuitscopeException(vocabTxt + ": " + tokenizer.vocabSize() + " tokens, but the model's d_vocab"
                    + " is " + dVocab + "; vocab.txt lists one token for every id, so it is truncated or belongs to"
                    + " another model");
        }
        return Optional.of(tokenizer);
    }
}
