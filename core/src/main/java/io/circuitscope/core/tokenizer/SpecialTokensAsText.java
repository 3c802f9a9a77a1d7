package io.circuitscope.core.tokenizer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.CircuitscopeException;

/**
 * Rewrites a tokenizer.json so that text spelling a special token, such as {@code <|endoftext|>} or {@code <s>}, is
 * tokenized as ordinary text, with every id still decoding to the same token.
 *
 * <p>HF tokenizers matches added tokens in the text before its model sees it. Its {@code encode_special_tokens}
 * switch (transformers' {@code split_special_tokens=True}) skips the special ones, but it is not stored in
 * tokenizer.json and DJL offers no call to set it. Taking the special tokens out of added_tokens has the same effect;
 * a special token the model's vocabulary lacks (Qwen2's {@code <|im_start|>}) is put into that vocabulary under its
 * own id, so decoding is unchanged. A Unigram vocabulary is a list whose positions are ids, with scores that would
 * let the model pick such a token, so there the rewrite is refused rather than approximated.
 */
final class SpecialTokensAsText {

    private SpecialTokensAsText() {
    }

    /** Rewrites {@code root} in place; {@code vocab} is what it declares. */
    static void apply(ObjectNode root, TokenizerJsonVocabulary vocab, String file) {
        ArrayNode kept = root.arrayNode();
        ObjectNode model = (ObjectNode) root.get("model");
        for (int i = 0; i < vocab.added().size(); i++) {
            TokenizerJsonVocabulary.AddedToken token = vocab.added().get(i);
            if (!token.special()) {
                kept.add(root.get("added_tokens").get(i));
            } else if (!vocab.model().containsKey(token.content())) {
                if (vocab.listed()) {
                    throw new CircuitscopeException(file + ": special token '" + token.content() + "' (id "
                            + token.id() + ") is not in the Unigram model's vocabulary, so its spelling in a text"
                            + " cannot be read as plain text; such a tokenizer is not supported");
                }
                ((ObjectNode) model.get("vocab")).put(token.content(), token.id());
            }
        }
        root.set("added_tokens", kept);
    }
}
