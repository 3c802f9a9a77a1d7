package io.circuitscope.core.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterSource;
import io.circuitscope.core.tokenizer.Tokenizer;
import java.util.Optional;

/**
 * A model's config and parameters with the tokenizer and model card that came with its source, if any. The
 * parameters of a checkpoint directory stay on disk until streamed (into the engine, or onto the heap by
 * {@link #weights()}), and damaged tensor data is reported then.
 */
public record LoadedModel(String source, ParameterSource parameters, Optional<Tokenizer> tokenizer,
                          Optional<JsonNode> modelCard) {

    public ModelConfig config() {
        return parameters.config();
    }

    /** Every parameter on the heap: read from disk now unless the source already holds them in memory. */
    public ModelWeights weights() {
        return parameters instanceof ModelWeights held ? held : ModelWeights.collect(parameters);
    }

    /** The tokenizer, or a clear error for features that need text when the source ships none. */
    public Tokenizer requireTokenizer(String feature) {
        return tokenizer.orElseThrow(() -> new CircuitscopeException(
                source + " has no tokenizer, so " + feature + " is unavailable; it still runs on token ids"));
    }

    /** The BOS id from config.json's bos_token_id or the model card, if either names one. */
    public Optional<Integer> bosTokenId() {
        if (config().bosTokenId() != null) {
            return Optional.of(config().bosTokenId());
        }
        return modelCard.map(c -> c.path("data_format").path("bos_token_id"))
                .filter(JsonNode::isInt)
                .map(JsonNode::asInt);
    }
}
