package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

/** The library example of README.md, verbatim between the markers, so that the README cannot drift from the API. */
class LibraryExampleTest {
    @Test
    void theReadmeExampleRuns() {
        // README example begins
        LoadedModel m = ModelSource.load("zoo:toy-ioi");
        Tokenizer tok = m.requireTokenizer("the example");
        int[][] clean = {NextTokenPrediction.promptIds(tok,
                "While Mary and Michael were at the library, Michael handed a book to", m.bosTokenId())};
        int[][] corrupt = {NextTokenPrediction.promptIds(tok,
                "While Tom and Alice were at the library, Linda handed a book to", m.bosTokenId())};
        int last = clean[0].length - 1;
        int mary = tok.encode("Mary")[0];
        int michael = tok.encode("Michael")[0];
        try (HookedTransformer model = HookedTransformer.load(m.parameters());
             NDManager out = model.manager().newSubManager()) {
            // Patch head 5 of layer 2 with its output on the corrupted prompt; logits at the last position only.
            ActivationCache corrupted = model.run(out, corrupt,
                    RunOptions.builder().cache(HookNames.result(2)).build()).cache();
            NDArray patched = model.run(out, clean, RunOptions.builder()
                    .patch(HookNames.result(2), ActivationPatch.replaceHeads(corrupted.get(HookNames.result(2)), 2, 5))
                    .logitsAt(last)
                    .build()).logits();                                        // [1, 1, d_vocab]

            // The gradient of the logit difference at every head's output of layer 1 (attribution patching).
            HookGradients g = model.gradients(out, clean,
                    RunOptions.builder().gradient(HookNames.result(1)).build(),
                    logits -> logits.get(":, " + last + ", " + mary).sub(logits.get(":, " + last + ", " + michael)));
            NDArray perHead = g.gradient(HookNames.result(1));                 // [1, pos, head, d_model]

            // Stop before layer 2, then resume from that residual stream (TransformerLens stop/start_at_layer).
            NDArray resid = model.residualBefore(out, clean, 2, RunOptions.none()).residual();
            NDArray logits = model.runFrom(out, resid, 2, RunOptions.none()).logits();

            // A head's OV circuit in the token basis, kept factored: [d_vocab, d_head] @ [d_head, d_vocab].
            NDArray copying = new HeadCircuits(model, out).fullOv(2, 5).diagonal();  // [d_vocab]
            // README example ends

            assertEquals(new ai.djl.ndarray.types.Shape(1, 1, m.config().dVocab()), patched.getShape());
            assertTrue(g.metric() > 2, "the model prefers the indirect object: " + g.metric());
            assertEquals(4, perHead.getShape().dimension());
            assertEquals(mary, (int) logits.get("0, " + last).argMax().getLong());
            assertEquals(m.config().dVocab(), copying.getShape().get(0));
        }
    }

    @Test
    void theReadmeShowsThisExampleVerbatim() throws java.io.IOException {
        String source = java.nio.file.Files.readString(
                java.nio.file.Path.of("src/test/java/io/circuitscope/core/engine/LibraryExampleTest.java"));
        String begin = "// README example begins\n";
        String block = source.substring(source.indexOf(begin) + begin.length(),
                source.indexOf("            // README example ends"));
        StringBuilder dedented = new StringBuilder();
        for (String line : block.split("\n")) {
            dedented.append(line.startsWith("        ") ? line.substring(8) : line).append('\n');
        }
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
        assertTrue(readme.contains(dedented.toString()), "README.md's library example differs from this test's");
    }
}
