package io.circuitscope.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.circuitscope.core.CircuitscopeException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every id a tokenizer.json declares, its model's vocabulary and its added tokens, each checked to lie inside the
 * model's vocabulary before anything is sized by it, and checked to be the id the tokenizers library will give it.
 *
 * @param model the model's tokens and their ids (a Unigram list's position is its id)
 * @param listed whether the model's vocabulary is a Unigram list rather than a token-to-id object
 * @param added the added tokens, in file order
 * @param ids every id that names a token
 */
record TokenizerJsonVocabulary(Map<String, Integer> model, boolean listed, List<AddedToken> added, BitSet ids) {

    /** One entry of added_tokens. */
    record AddedToken(int id, String content, boolean special) {
    }

    /** The size of the id space: one past the largest id. */
    int size() {
        return ids.length();
    }

    /** Reads and checks the ids of {@code root}, a parsed tokenizer.json; {@code maxVocab} is the model's size. */
    static TokenizerJsonVocabulary read(JsonNode root, TokenizerFiles files, int maxVocab) {
        JsonNode vocab = root.path("model").path("vocab");
        boolean unigram = "Unigram".equals(root.path("model").path("type").asText());
        Map<String, Integer> model = new HashMap<>();
        Map<Integer, String> tokenById = new HashMap<>();
        if (unigram) {
            if (!vocab.isArray()) {
                throw new CircuitscopeException(files.vocab() + " is not a list of [token, score] pairs");
            }
            readUnigramPieces(vocab, files.vocab(), maxVocab, model, tokenById);
        } else if (vocab.isObject()) {
            for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
                int id = tokenId(entry.getValue(), files.vocab() + ": token '" + entry.getKey() + "'", maxVocab);
                String earlier = tokenById.putIfAbsent(id, entry.getKey());
                if (earlier != null) {
                    throw new CircuitscopeException(files.vocab() + ": tokens '" + earlier + "' and '"
                            + entry.getKey() + "' both have id " + id);
                }
                model.put(entry.getKey(), id);
            }
        } else {
            throw new CircuitscopeException(files.vocab() + " is not a JSON object mapping tokens to ids");
        }
        List<AddedToken> added = readAddedTokens(root.path("added_tokens"), files.file(), maxVocab, model, tokenById);
        BitSet ids = new BitSet();
        model.values().forEach(ids::set);
        added.forEach(token -> ids.set(token.id()));
        return new TokenizerJsonVocabulary(model, unigram, added, ids);
    }

    /** A Unigram model's vocabulary: [token, score] pairs whose position is the id. */
    private static void readUnigramPieces(JsonNode vocab, String where, int maxVocab, Map<String, Integer> model,
                                          Map<Integer, String> tokenById) {
        if (vocab.size() > maxVocab) {
            throw new CircuitscopeException(where + " lists " + vocab.size() + " tokens, but the model's vocabulary"
                    + " has only " + maxVocab + " ids");
        }
        for (int id = 0; id < vocab.size(); id++) {
            JsonNode piece = vocab.get(id);
            if (!piece.isArray() || piece.size() != 2 || !piece.get(0).isTextual() || !piece.get(1).isNumber()) {
                throw new CircuitscopeException(where + "[" + id + "]: expected [token, score], got " + piece);
            }
            Integer earlier = model.putIfAbsent(piece.get(0).textValue(), id);
            if (earlier != null) {
                throw new CircuitscopeException(where + ": token '" + piece.get(0).textValue() + "' is listed at "
                        + earlier + " and at " + id);
            }
            tokenById.put(id, piece.get(0).textValue());
        }
    }

    /**
     * The added tokens. The tokenizers library gives an added token its id in the model's vocabulary when the model
     * has it, and ignores the declared id, so a declared id that disagrees is refused here; an added token missing
     * from the model gets the next free id, which is checked once the library has loaded the file.
     */
    private static List<AddedToken> readAddedTokens(JsonNode node, String file, int maxVocab,
                                                    Map<String, Integer> model, Map<Integer, String> tokenById) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new CircuitscopeException(file + ": added_tokens is " + node.getNodeType() + ", not a list");
        }
        List<AddedToken> added = new ArrayList<>();
        Map<Integer, String> contentById = new HashMap<>();
        Map<String, Integer> idByContent = new HashMap<>();
        for (JsonNode token : node) {
            JsonNode content = token.path("content");
            if (!content.isTextual() || !isTokenId(token.path("id"))) {
                throw new CircuitscopeException(file + ": added token " + token + " needs an id and a content");
            }
            String text = content.textValue();
            String what = file + ": added token '" + text + "'";
            int id = tokenId(token.path("id"), what, maxVocab);
            if (text.isEmpty()) {
                // The library skips an empty added token, so its id would decode to nothing.
                throw new CircuitscopeException(file + ": added token " + id + " has empty content");
            }
            String earlier = contentById.putIfAbsent(id, text);
            if (earlier != null) {
                throw new CircuitscopeException(file + ": added tokens '" + earlier + "' and '" + text
                        + "' both have id " + id);
            }
            Integer earlierId = idByContent.putIfAbsent(text, id);
            if (earlierId != null) {
                throw new CircuitscopeException(what + " is listed twice, with ids " + earlierId + " and " + id);
            }
            Integer modelId = model.get(text);
            if (modelId != null && modelId != id) {
                throw new CircuitscopeException(what + " has id " + id + ", but the model's vocabulary gives it id "
                        + modelId);
            }
            String modelToken = tokenById.get(id);
            if (modelToken != null && !modelToken.equals(text)) {
                throw new CircuitscopeException(what + " has id " + id + ", which the model's vocabulary gives to '"
                        + modelToken + "'");
            }
            added.add(new AddedToken(id, text, token.path("special").asBoolean(false)));
        }
        return added;
    }

    private static boolean isTokenId(JsonNode value) {
        return value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= 0;
    }

    /** A token id: a non-negative JSON integer below the model's vocabulary size; {@code what} names the token. */
    private static int tokenId(JsonNode value, String what, int maxVocab) {
        if (!isTokenId(value)) {
            throw new CircuitscopeException(what + " has id " + value + "; ids must be non-negative integers");
        }
        int id = value.intValue();
        if (id >= maxVocab) {
            throw new CircuitscopeException(what + " has id " + id + ", but the model's vocabulary has only " + maxVocab
                    + " ids (0.." + (maxVocab - 1) + ")");
        }
        return id;
    }
}
