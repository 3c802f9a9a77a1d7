package io.circuitscope.core.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** The TransformerLens state-dict names and shapes that a {@link ModelConfig} requires, in a stable order. */
public final class ParameterLayout {
    private ParameterLayout() {
    }

    /** Every required parameter name mapped to its shape, in TransformerLens state-dict order. */
    public static Map<String, int[]> of(ModelConfig c) {
        Map<String, int[]> m = new LinkedHashMap<>();
        int d = c.dModel();
        int h = c.nHeads();
        int dh = c.dHead();
        boolean ln = c.normalization() == ModelConfig.Normalization.LN;
        m.put("embed.W_E", new int[] {c.dVocab(), d});
        m.put("pos_embed.W_pos", new int[] {c.nCtx(), d});
        for (int l = 0; l < c.nLayers(); l++) {
            String b = "blocks." + l + ".";
            if (ln) {
                m.put(b + "ln1.w", new int[] {d});
                m.put(b + "ln1.b", new int[] {d});
            }
            for (String x : new String[] {"Q", "K", "V"}) {
                m.put(b + "attn.W_" + x, new int[] {h, d, dh});
                m.put(b + "attn.b_" + x, new int[] {h, dh});
            }
            m.put(b + "attn.W_O", new int[] {h, dh, d});
            m.put(b + "attn.b_O", new int[] {d});
            if (c.hasMlp()) {
                if (ln) {
                    m.put(b + "ln2.w", new int[] {d});
                    m.put(b + "ln2.b", new int[] {d});
                }
                m.put(b + "mlp.W_in", new int[] {d, c.mlpWidth()});
                m.put(b + "mlp.b_in", new int[] {c.mlpWidth()});
                m.put(b + "mlp.W_out", new int[] {c.mlpWidth(), d});
                m.put(b + "mlp.b_out", new int[] {d});
            }
        }
        if (ln) {
            m.put("ln_final.w", new int[] {d});
            m.put("ln_final.b", new int[] {d});
        }
        m.put("unembed.W_U", new int[] {d, c.dVocab()});
        m.put("unembed.b_U", new int[] {c.dVocab()});
        return m;
    }
}
