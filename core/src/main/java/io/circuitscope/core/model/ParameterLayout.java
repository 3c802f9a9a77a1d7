package io.circuitscope.core.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** The TransformerLens state-dict names and shapes that a {@link ModelConfig} requires, in a stable order. */
public final class ParameterLayout {
    private ParameterLayout() {
    }

    /**
     * Every required parameter name mapped to its shape, in TransformerLens state-dict order. A model with
     * n_key_value_heads holds its key and value weights once per key-value head, under TransformerLens's {@code attn._W_K},
     * {@code attn._b_K}, {@code attn._W_V} and {@code attn._b_V}; a rotary model has no {@code pos_embed.W_pos}.
     */
    public static Map<String, int[]> of(ModelConfig c) {
        Map<String, int[]> m = new LinkedHashMap<>();
        int d = c.dModel();
        int h = c.nHeads();
        int kv = c.kvHeads();
        int dh = c.dHead();
        ModelConfig.Normalization norm = c.normalization();
        m.put("embed.W_E", new int[] {c.dVocab(), d});
        if (!c.rotary()) {
            m.put("pos_embed.W_pos", new int[] {c.nCtx(), d});
        }
        for (int l = 0; l < c.nLayers(); l++) {
            String b = "blocks." + l + ".";
            putNorm(m, b + "ln1", norm, d);
            m.put(b + "attn.W_Q", new int[] {h, d, dh});
            m.put(b + "attn.b_Q", new int[] {h, dh});
            for (String x : new String[] {"K", "V"}) {
                m.put(keyValueName(c, l, "W_" + x), new int[] {kv, d, dh});
                m.put(keyValueName(c, l, "b_" + x), new int[] {kv, dh});
            }
            m.put(b + "attn.W_O", new int[] {h, dh, d});
            m.put(b + "attn.b_O", new int[] {d});
            if (c.hasMlp()) {
                putNorm(m, b + "ln2", norm, d);
                m.put(b + "mlp.W_in", new int[] {d, c.mlpWidth()});
                if (c.gated()) {
                    m.put(b + "mlp.W_gate", new int[] {d, c.mlpWidth()});
                }
                m.put(b + "mlp.b_in", new int[] {c.mlpWidth()});
                m.put(b + "mlp.W_out", new int[] {c.mlpWidth(), d});
                m.put(b + "mlp.b_out", new int[] {d});
            }
        }
        putNorm(m, "ln_final", norm, d);
        m.put("unembed.W_U", new int[] {d, c.dVocab()});
        m.put("unembed.b_U", new int[] {c.dVocab()});
        return m;
    }

    /**
     * The stored name of a key or value parameter ({@code W_K}, {@code b_K}, {@code W_V} or {@code b_V}) of
     * {@code layer}: {@code blocks.L.attn._W_K} when the model stores one per key-value head, else
     * {@code blocks.L.attn.W_K}.
     */
    public static String keyValueName(ModelConfig c, int layer, String name) {
        return "blocks." + layer + ".attn." + (c.storesKeyValueHeads() ? "_" : "") + name;
    }

    private static void putNorm(Map<String, int[]> m, String prefix, ModelConfig.Normalization norm, int d) {
        if (norm.hasWeight()) {
            m.put(prefix + ".w", new int[] {d});
        }
        if (norm == ModelConfig.Normalization.LN) {
            m.put(prefix + ".b", new int[] {d});
        }
    }
}
