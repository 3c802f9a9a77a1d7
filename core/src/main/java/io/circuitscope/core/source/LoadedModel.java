package io.circuitscope.core.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.tokenizer.Tokenizer;
import java.util.Optional;

/** A model's weights with the tokenizer and model card that came with its source, if any. */
public record LoadedModel(String source, ModelWeights weights, Optional<Tokenizer> tokenizer,
                          Optional<JsonNode> modelCard) {

    /** The tokenizer, or a clear error for features that need text when the source ships none. */
    public Tokenizer requireTokenizer(String feature) {
        return tokenizer.orElseThrow(() -> new CircuitscopeException(
                source + " has no tokenizer, so " + feature + " is unavailable; it still runs on token ids"));
    }

    /** The BOS id from config.json's bos_token_id or the model card, if either names one. */
    public Optional<Integer> bosTokenId() {
        if (weights.config().bosTokenId() != null) {
            return Optional.of(weights.config().bosTokenId());
        }
        return modelCard.map(c -> c.path("data_format").path("bos_token_id"))
                .filter(JsonNode::isInt)
                .map(JsonNode::asInt);
    }
}
