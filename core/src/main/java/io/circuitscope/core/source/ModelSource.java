package io.circuitscope.core.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.checkpoint.HfGpt2Checkpoint;
import io.circuitscope.core.checkpoint.NativeCheckpoint;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.tokenizer.TokenizerLoader;
import io.circuitscope.core.zoo.ZooCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Resolves a {@code --model} argument (an HF GPT-2 directory, a native directory or {@code zoo:NAME}) to a model. */
public final class ModelSource {
    public static final String ZOO_PREFIX = "zoo:";

    private ModelSource() {
    }

    /** Loads the model named by a {@code --model} argument. */
    public static LoadedModel load(String spec) {
        if (spec.startsWith(ZOO_PREFIX)) {
            String name = spec.substring(ZOO_PREFIX.length());
            return fromDirectory(spec, ZooCatalog.extract(name));
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
        if (HfGpt2Checkpoint.isHfGpt2(dir)) {
            ModelWeights w = HfGpt2Checkpoint.load(dir);
            return new LoadedModel(source, w, TokenizerLoader.forHfDirectory(dir, w.config().dVocab()), card(dir));
        }
        ModelWeights w = NativeCheckpoint.load(dir);
        return new LoadedModel(source, w, TokenizerLoader.forNativeDirectory(dir, w.config().dVocab()), card(dir));
    }

    private static Optional<JsonNode> card(Path dir) {
        Path file = dir.resolve("model-card.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ObjectMapper().readTree(file.toFile()));
        } catch (IOException e) {
            throw new CircuitscopeException(file + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")", e);
        }
    }
}
