package io.circuitscope.core.tokenizer;

import java.util.function.IntFunction;

/**
 * Where each part of a tokenizer definition was read, so that every error names the file, and the line or entry,
 * that the user has to fix: a tokenizer.json holds everything, a GPT-2 pair splits it over vocab.json and merges.txt.
 *
 * @param file the file as a whole, for added tokens and for errors of the tokenizers library
 * @param vocab the model's vocabulary
 * @param merges the merge list as a whole
 * @param merge the location of the i-th merge (0-based)
 * @param name the short name used in descriptions, e.g. "tokenizer.json"
 */
record TokenizerFiles(String file, String vocab, String merges, IntFunction<String> merge, String name) {
}
