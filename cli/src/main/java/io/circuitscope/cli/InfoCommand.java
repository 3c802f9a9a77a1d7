package io.circuitscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.core.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code circuitscope info}: a model's architecture, parameter count, tokenizer and model card. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show a model's architecture and tokenizer.")
final class InfoCommand implements Callable<Integer> {
    @picocli.CommandLine.Option(names = "--model", paramLabel = "M", converter = NonEmpty.TextConverter.class,
            description = "An HF GPT-2 directory, a native (TransformerLens) directory, or zoo:NAME.")
    String model;

    @Parameters(arity = "0..1", paramLabel = "M", converter = NonEmpty.TextConverter.class,
            description = "The model, as an alternative to --model.")
    String positionalModel;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((model == null) == (positionalModel == null)) {
            throw new ParameterException(spec.commandLine(), "give the model once, as --model M or as M");
        }
        LoadedModel m = ModelSource.load(model != null ? model : positionalModel);
        ModelConfig c = m.config();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "model            %s%n", m.source());
        out.printf(Locale.ROOT, "layers           %d%n", c.nLayers());
        out.printf(Locale.ROOT, "d_model          %d%n", c.dModel());
        out.printf(Locale.ROOT, "heads            %d x d_head %d%s%n", c.nHeads(), c.dHead(),
                c.grouped() ? " (grouped: " + c.kvHeads() + " key-value heads)" : "");
        out.printf(Locale.ROOT, "mlp              %s%n", c.hasMlp() ? "d_mlp " + c.mlpWidth() + ", " + c.actFn()
                + (c.gated() ? ", gated" : "") + (c.parallel() ? ", parallel to attention" : "") : "none (attn-only)");
        out.printf(Locale.ROOT, "positions        %s%n", positions(c));
        out.printf(Locale.ROOT, "attention        causal%s%n",
                c.windowSize() == null ? "" : ", sliding window of " + c.windowSize());
        out.printf(Locale.ROOT, "normalization    %s%n", c.normalizationType() == null ? "none" : c.normalizationType());
        out.printf(Locale.ROOT, "vocabulary       %d%n", c.dVocab());
        out.printf(Locale.ROOT, "context          %d%n", c.nCtx());
        out.printf(Locale.ROOT, "parameters       %,d%n", m.parameters().verifiedParameterCount());
        out.printf(Locale.ROOT, "tokenizer        %s%n", m.tokenizer().map(Tokenizer::description).orElse("none (token ids only)"));
        out.printf(Locale.ROOT, "bos token id     %s%n", m.bosTokenId().map(String::valueOf).orElse("none"));
        if (m.modelCard().isPresent()) {
            out.println("model card:");
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(m.modelCard().get()));
        }
        return 0;
    }

    private static String positions(io.circuitscope.core.model.ModelConfig c) {
        if (!c.rotary()) {
            return "learned (W_pos)";
        }
        String dims = c.rotaryDims() == c.dHead() ? "all " + c.dHead() : c.rotaryDims() + " of " + c.dHead();
        return String.format(Locale.ROOT, "rotary on %s dims, base %s%s", dims, stripZero(c.rotaryTheta()),
                c.ntkByParts() ? ", llama3 scaling x" + stripZero(c.ntkByPartsFactor()) + " from "
                        + c.ntkOriginalCtxLen() : "");
    }

    private static String stripZero(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
