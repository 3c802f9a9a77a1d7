package io.circuitscope.detectors;

import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterLayout;
import io.circuitscope.core.probe.IoiCorpus;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.core.tokenizer.Tokenizer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An attention-only IOI circuit written by hand in toy-ioi's vocabulary, so that the IOI detectors can be checked
 * against heads whose roles are known by construction:
 * <ul>
 *   <li>a0.h0, duplicate-token head: attends from a token to its earlier copy (else to BOS) and writes a flag when
 *       that copy is a name, so S2 carries the flag;</li>
 *   <li>a1.h0, S-inhibition head: attends to the flagged position (S2) and writes S's identity;</li>
 *   <li>a2.h0, name mover: attends from END to names other than the identity it reads in its query, so to IO, and
 *       copies that name into the logits (+10);</li>
 *   <li>a2.h1, negative name mover: the same attention, copying -3.</li>
 * </ul>
 * The other heads are zero. Residual dimensions: one-hot token, one-hot position, a constant, "is a name", the
 * duplicate flag, and a one-hot "S identity".
 */
final class HandBuiltIoiModel {
    static final double SHARP = 20;

    private HandBuiltIoiModel() {
    }

    static LoadedModel build() {
        Tokenizer tok = ModelSource.load("zoo:toy-ioi").tokenizer().orElseThrow();
        int v = tok.vocabSize();
        int ctx = 32;
        int posDims = v;
        int constDim = v + ctx;
        int nameDim = constDim + 1;
        int flagDim = constDim + 2;
        int sid = constDim + 3;
        int d = sid + v;
        int dh = v + ctx + 1;
        ModelConfig c = new ModelConfig(3, d, 2, dh, null, v, ctx, null, null, true, "standard", 1e-5, 0,
                "hand-built-ioi");
        boolean[] isName = new boolean[v];
        for (String n : IoiCorpus.NAMES) {
            OptionalInt id = tok.singleToken(" " + n);
            id.ifPresent(i -> isName[i] = true);
        }
        Map<String, FloatTensor> t = new HashMap<>();
        ParameterLayout.of(c).forEach((name, shape) -> t.put(name, FloatTensor.zeros(shape)));
        double s = SHARP * Math.sqrt(dh);
        FloatTensor wE = t.get("embed.W_E");
        for (int i = 0; i < v; i++) {
            wE.set(1, i, i);
            wE.set(1, i, constDim);
            wE.set(isName[i] ? 1 : 0, i, nameDim);
            t.get("unembed.W_U").set(1, i, i);
        }
        for (int p = 0; p < ctx; p++) {
            t.get("pos_embed.W_pos").set(1, p, posDims + p);
        }
        // a0.h0: score = s * ([same token] - 2 [same position] + 0.5 [key is BOS]); value: is the key a name.
        String b0 = "blocks.0.attn.";
        for (int i = 0; i < v; i++) {
            t.get(b0 + "W_Q").set(s, 0, i, i);
            t.get(b0 + "W_K").set(1, 0, i, i);
        }
        for (int p = 0; p < ctx; p++) {
            t.get(b0 + "W_Q").set(-2 * s, 0, posDims + p, v + p);
            t.get(b0 + "W_K").set(1, 0, posDims + p, v + p);
        }
        t.get(b0 + "W_Q").set(0.5 * s, 0, constDim, v + ctx);
        t.get(b0 + "W_K").set(1, 0, 0, v + ctx);  // token 0 is BOS
        t.get(b0 + "W_V").set(1, 0, nameDim, 0);
        t.get(b0 + "W_O").set(1, 0, 0, flagDim);
        // a1.h0: score = s * flag(key); value: the key's name, written into the S-identity block.
        String b1 = "blocks.1.attn.";
        t.get(b1 + "W_Q").set(s, 0, constDim, 0);
        t.get(b1 + "W_K").set(1, 0, flagDim, 0);
        for (int i = 0; i < v; i++) {
            if (isName[i]) {
                t.get(b1 + "W_V").set(1, 0, i, i);
                t.get(b1 + "W_O").set(1, 0, i, sid + i);
            }
        }
        // a2.h0 and a2.h1: score = s * ([key is a name] - 2 [key's name is the S identity in the query]).
        String b2 = "blocks.2.attn.";
        double[] copy = {10, -3};
        for (int h = 0; h < 2; h++) {
            t.get(b2 + "W_Q").set(s, h, constDim, 0);
            t.get(b2 + "W_K").set(1, h, nameDim, 0);
            for (int i = 0; i < v; i++) {
                if (isName[i]) {
                    t.get(b2 + "W_Q").set(-2 * s, h, sid + i, 1 + i);
                    t.get(b2 + "W_K").set(1, h, i, 1 + i);
                    t.get(b2 + "W_V").set(1, h, i, 1 + i);
                    t.get(b2 + "W_O").set(copy[h], h, 1 + i, i);
                }
            }
        }
        return new LoadedModel("hand-built-ioi", new ModelWeights(c, t), Optional.of(tok), Optional.empty());
    }
}
