package io.circuitscope.cli;

import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import picocli.CommandLine.Option;

/** The {@code --model} option shared by every command that runs a model. */
final class ModelOption {
    @Option(names = "--model", required = true, paramLabel = "M", converter = NonEmpty.TextConverter.class,
            description = "An HF GPT-2 directory, a native (TransformerLens) directory, or zoo:NAME.")
    String model;

    LoadedModel load() {
        return ModelSource.load(model);
    }
}
