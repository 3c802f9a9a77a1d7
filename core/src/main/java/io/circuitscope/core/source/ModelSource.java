package io.circuitscope.core.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.checkpoint.CheckpointLayout;
import io.circuitscope.core.io.InputFile;
import io.circuitscope.core.io.StrictJson;
import io.circuitscope.core.model.ParameterSource;
import io.circuitscope.core.tokenizer.Tokenizer;
import io.circuitscope.core.tokenizer.TokenizerLoader;
import io.circuitscope.core.zoo.ZooCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Resolves a {@code --model} argument (a Hugging Face directory of a supported architecture, a native directory or
 * {@code zoo:NAME}) to a model.
 */
public final class ModelSource {
    public static final String ZOO_PREFIX = "zoo:";

    private ModelSource() {
    }

    /**
     * Resolves the model named by a {@code --model} argument, reading and checking its config, tokenizer and model
     * card now; a directory's tensors are read (and their data checked) when its parameters are streamed.
     */
    public static LoadedModel load(String spec) {
        if (spec.isBlank()) {
            throw new CircuitscopeException("the model is an empty string (expected a checkpoint directory or"
                    + " zoo:NAME; shipped models: " + ZooCatalog.names() + ")");
        }
        if (spec.startsWith(ZOO_PREFIX)) {
            // The extracted files are deleted on return, so the (small) zoo weights are read onto the heap first.
            return ZooCatalog.withExtracted(spec.substring(ZOO_PREFIX.length()), dir -> {
                LoadedModel lazy = fromDirectory(spec, dir);
                return new LoadedModel(spec, lazy.weights(), lazy.tokenizer(), lazy.modelCard());
            });
        }
        Path dir = Path.of(spec);
        if (!Files.exists(dir)) {
            throw new CircuitscopeException(spec + ": no such directory (expected a checkpoint directory or zoo:NAME; "
                    + "shipped models: " + ZooCatalog.names() + ")");
        }
        if (!Files.isDirectory(dir)) {
            throw new CircuitscopeException(spec + ": not a directory (a model is a directory with config.json and"
                    + " model.safetensors)");
        }
        return fromDirectory(spec, dir);
    }

    private static LoadedModel fromDirectory(String source, Path dir) {
        CheckpointLayout layout = CheckpointLayout.of(dir);
        ParameterSource w = layout.parameters(dir);
        int vocab = w.config().dVocab();
        Optional<Tokenizer> tokenizer = layout.isHuggingFace()
                ? TokenizerLoader.forHfDirectory(dir, vocab)
                : TokenizerLoader.forNativeDirectory(dir, vocab);
        return new LoadedModel(source, w, tokenizer, card(dir, vocab));
    }

    /** The optional {@code model-card.json}; when present it must be one JSON object with a valid BOS id, if any. */
    private static Optional<JsonNode> card(Path dir, int vocab) {
        Path file = dir.resolve("model-card.json");
        if (!InputFile.isPresent(file)) {
            return Optional.empty();
        }
        JsonNode card = StrictJson.readObject(file, StrictJson.SMALL_FILE_LIMIT);
        JsonNode bos = card.path("data_format").path("bos_token_id");
        if (!bos.isMissingNode() && !bos.isNull()
                && (!bos.isIntegralNumber() || !bos.canConvertToInt() || bos.intValue() < 0
                        || bos.intValue() >= vocab)) {
            throw new CircuitscopeException(file + ": data_format.bos_token_id " + bos + " is not a token id of this"
                    + " model (0.." + (vocab - 1) + ")");
        }
        return Optional.of(card);
    }
}
