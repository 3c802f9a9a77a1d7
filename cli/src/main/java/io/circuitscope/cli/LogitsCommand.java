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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code circuitscope logits}: writes the logits of one token sequence as a float32 .npy [n_tokens, d_vocab]. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the logits for a token sequence as a float32 NumPy array [n_tokens, d_vocab].")
final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption = new ModelOption();

    // A single String, not an int[], so that picocli refuses a second --tokens instead of concatenating the two.
    @Option(names = "--tokens", required = true, paramLabel = "IDS",
            description = "Comma-separated token ids, e.g. 15496,995. Give it once.")
    String tokens;

    @Option(names = "--out", required = true, paramLabel = "F.npy", converter = NonEmpty.PathConverter.class,
            description = "Output .npy file: a new path or an existing regular file.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        int[] ids = parseIds();
        LoadedModel m = modelOption.load();
        float[] logits;
        try (HookedTransformer model = HookedTransformer.load(m.parameters())) {
            logits = model.logitsOnHeap(new int[][] {ids}).data();
        }
        NpyWriter.writeFloat32(out, logits, ids.length, m.config().dVocab());
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: float32 [%d, %d]%n", out, ids.length,
                m.config().dVocab());
        return 0;
    }

    private int[] parseIds() {
        String[] parts = tokens.split(",", -1);
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--tokens: '" + parts[i]
                        + "' is not a token id (expected comma-separated integers, e.g. 15496,995)");
            }
        }
        return ids;
    }
}
