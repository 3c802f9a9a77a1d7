package io.circuitscope.cli;

import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.export.NpyWriter;
import io.circuitscope.core.source.LoadedModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code circuitscope logits}: writes the logits of one token sequence as a float32 .npy [n_tokens, d_vocab]. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the logits for a token sequence as a float32 NumPy array [n_tokens, d_vocab].")
final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption = new ModelOption();

    @Option(names = "--tokens", required = true, split = ",", paramLabel = "IDS",
            description = "Comma-separated token ids, e.g. 15496,995.")
    int[] tokens;

    @Option(names = "--out", required = true, paramLabel = "F.npy", description = "Output .npy file.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LoadedModel m = modelOption.load();
        float[] logits;
        try (HookedTransformer model = HookedTransformer.load(m.weights())) {
            logits = model.logitsOnHeap(new int[][] {tokens}).data();
        }
        NpyWriter.writeFloat32(out, logits, tokens.length, m.weights().config().dVocab());
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: float32 [%d, %d]%n", out, tokens.length,
                m.weights().config().dVocab());
        return 0;
    }
}
