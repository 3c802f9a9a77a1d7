package io.circuitscope.discovery.method;

import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A two-layer attention-only induction circuit written by hand: a0.h0 attends one position back and writes the
 * previous token into its own subspace; a1.h0 matches its token against that subspace and copies the attended
 * token into an output subspace that the unembedding reads (×10). The other six heads are decoys: they attend
 * (random queries and keys) and write into a junk dimension that nothing reads. No normalization.
 */
final class PlantedInductionModel {
    static final int VOCAB = 24;
    static final int CTX = 16;
    private static final int POS = VOCAB;
    private static final int PREV = VOCAB + CTX;
    private static final int OUT = 2 * VOCAB + CTX;
    private static final int JUNK = 3 * VOCAB + CTX;
    static final int D = JUNK + 1;
    private static final int DH = 24;

    private PlantedInductionModel() {
    }

    static ModelWeights build() {
        ModelConfig c = new ModelConfig(2, D, 4, DH, null, VOCAB, CTX, null, null, true, "standard", 1e-5, 0,
                "planted-induction");
        Map<String, FloatTensor> t = new HashMap<>();
        ParameterLayout.of(c).forEach((name, shape) -> t.put(name, FloatTensor.zeros(shape)));
        double s = 20 * Math.sqrt(DH);
        for (int i = 0; i < VOCAB; i++) {
            t.get("embed.W_E").set(1, i, i);
            t.get("unembed.W_U").set(10, OUT + i, i);
        }
        for (int p = 0; p < CTX; p++) {
            t.get("pos_embed.W_pos").set(1, p, POS + p);
        }
        // a0.h0: query position p matches key position p - 1; value: the key's token, written to PREV.
        String a0 = "blocks.0.attn.";
        for (int p = 0; p < CTX; p++) {
            t.get(a0 + "W_Q").set(s, 0, POS + p, p);
            if (p + 1 < CTX) {
                t.get(a0 + "W_K").set(1, 0, POS + p, p + 1);
            }
        }
        for (int i = 0; i < VOCAB; i++) {
            t.get(a0 + "W_V").set(1, 0, i, i);
            t.get(a0 + "W_O").set(1, 0, i, PREV + i);
        }
        // a1.h0: query token i matches a key whose previous token is i; value: the key's token, written to OUT.
        String a1 = "blocks.1.attn.";
        for (int i = 0; i < VOCAB; i++) {
            t.get(a1 + "W_Q").set(s, 0, i, i);
            t.get(a1 + "W_K").set(1, 0, PREV + i, i);
            t.get(a1 + "W_V").set(1, 0, i, i);
            t.get(a1 + "W_O").set(1, 0, i, OUT + i);
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int l = 0; l < 2; l++) {
            String b = "blocks." + l + ".attn.";
            for (int h = 1; h < 4; h++) {
                for (int in = 0; in < OUT; in++) {
                    for (int e = 0; e < DH; e++) {
                        t.get(b + "W_Q").set(r.nextGaussian(), h, in, e);
                        t.get(b + "W_K").set(r.nextGaussian(), h, in, e);
                        t.get(b + "W_V").set(r.nextGaussian(), h, in, e);
                    }
                }
                for (int e = 0; e < DH; e++) {
                    t.get(b + "W_O").set(1, h, e, JUNK);
                }
            }
        }
        return new ModelWeights(c, t);
    }
}
