package io.circuitscope.cli;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.engine.NextTokenPrediction;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code circuitscope predict}: the model's top-k next tokens for a text, with probabilities. */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Show the top-k next tokens for a text.")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption = new ModelOption();

    @Option(names = "--text", required = true, description = "The prompt.")
    String text;

    @Option(names = "--top", defaultValue = "10", description = "How many tokens to show (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--prepend-bos", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Prepend the model's BOS token when it has one (default ${DEFAULT-VALUE}).")
    boolean prependBos;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new ParameterException(spec.commandLine(), "--top must be at least 1");
        }
        LoadedModel m = modelOption.load();
        Tokenizer tok = m.requireTokenizer("predict");
        int[] ids = NextTokenPrediction.promptIds(tok, text, prependBos ? m.bosTokenId() : Optional.empty());
        List<NextTokenPrediction.Candidate> best;
        try (HookedTransformer model = HookedTransformer.load(m.parameters())) {
            best = NextTokenPrediction.topK(model, ids, top);
        }
        // Decode everything before printing, so a failure cannot leave half a table behind.
        List<String> shown = best.stream().map(c -> display(tok, c.tokenId())).toList();
        PrintWriter out = spec.commandLine().getOut();
        boolean bos = prependBos && m.bosTokenId().isPresent();
        out.printf(Locale.ROOT, "prompt: %d tokens%s%n", ids.length, bos ? " (BOS prepended)" : "");
        out.printf(Locale.ROOT, "%4s  %8s  %-20s  %10s  %s%n", "rank", "id", "token", "logit", "probability");
        for (int i = 0; i < best.size(); i++) {
            NextTokenPrediction.Candidate c = best.get(i);
            out.printf(Locale.ROOT, "%4d  %8d  %-20s  %10.4f  %.4g%n", i + 1, c.tokenId(), shown.get(i), c.logit(),
                    c.probability());
        }
        return 0;
    }

    /** The quoted token text, or {@code <id N>} for an id the tokenizer cannot decode (a padded vocabulary). */
    private static String display(Tokenizer tok, int id) {
        if (id >= tok.vocabSize()) {
            return "<id " + id + ">";
        }
        try {
            return "'" + tok.decode(id).replace("\n", "\\n") + "'";
        } catch (CircuitscopeException e) {
            return "<id " + id + ">";
        }
    }
}
