package io.circuitscope.core.tokenizer;

import io.circuitscope.core.CircuitscopeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the tokenizer that comes with a model source, by the rules in DESIGN.md "Model sources"; empty when none. */
public final class TokenizerLoader {

    private TokenizerLoader() {
    }

    /**
     * The tokenizer of a HF GPT-2 layout directory: its {@code tokenizer.json}, else its {@code vocab.json} +
     * {@code merges.txt}, else GPT-2's own BPE when the model's vocabulary is GPT-2's size (50257).
     */
    public static Optional<Tokenizer> forHfDirectory(Path dir, int vocabSize) {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        Path vocabJson = dir.resolve("vocab.json");
        Path mergesTxt = dir.resolve("merges.txt");
        Tokenizer tokenizer;
        if (Files.isRegularFile(tokenizerJson)) {
            tokenizer = ByteLevelBpeTokenizer.fromTokenizerJson(tokenizerJson);
        } else if (Files.isRegularFile(vocabJson) && Files.isRegularFile(mergesTxt)) {
            tokenizer = ByteLevelBpeTokenizer.fromVocabAndMerges(vocabJson, mergesTxt);
        } else if (vocabSize == Gpt2BpeTokenizer.VOCAB_SIZE) {
            tokenizer = new Gpt2BpeTokenizer();
        } else {
            return Optional.empty();
        }
        return Optional.of(fitting(dir, tokenizer, vocabSize, "vocab_size"));
    }

    /** The tokenizer of a native layout directory: its word-level {@code vocab.txt}, if any. */
    public static Optional<Tokenizer> forNativeDirectory(Path dir, int dVocab) {
        Path vocabTxt = dir.resolve("vocab.txt");
        return Files.isRegularFile(vocabTxt)
                ? Optional.of(fitting(dir, WordLevelTokenizer.read(vocabTxt), dVocab, "d_vocab"))
                : Optional.empty();
    }

    /**
     * Models may pad their embedding past the tokenizer, but a tokenizer id beyond the embedding would only fail
     * deep in a run, so it is refused at load.
     */
    private static Tokenizer fitting(Path dir, Tokenizer tokenizer, int vocabSize, String field) {
        if (tokenizer.vocabSize() > vocabSize) {
            throw new CircuitscopeException(dir + ": the tokenizer (" + tokenizer.description() + ") has ids up to "
                    + (tokenizer.vocabSize() - 1) + ", but the model's " + field + " is " + vocabSize);
        }
        return tokenizer;
    }
}
