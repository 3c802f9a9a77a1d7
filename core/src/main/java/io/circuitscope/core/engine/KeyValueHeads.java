package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.circuitscope.core.model.ModelConfig;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How grouped-query attention pairs query heads with key-value heads: the stored {@code attn._W_K} [kv_heads, ..]
 * (and {@code _b_K}, {@code _W_V}, {@code _b_V}) seen once per query head, as TransformerLens's {@code W_K} property
 * repeats them.
 */
final class KeyValueHeads {
    private static final Pattern PER_QUERY_HEAD = Pattern.compile("(blocks\\.\\d+\\.attn\\.)([Wb]_[KV])");

    private KeyValueHeads() {
    }

    /** The stored name behind a per-query-head key or value name of a grouped model, or null when it is stored. */
    static String storedName(ModelConfig config, String name) {
        Matcher m = PER_QUERY_HEAD.matcher(name);
        return config.storesKeyValueHeads() && m.matches() ? m.group(1) + "_" + m.group(2) : null;
    }

    /**
     * Rows of {@code stored} [kv_heads, ..] for the given query heads (all of them when null), in their order; the
     * stored array itself when the model is not grouped and every head is wanted.
     */
    static NDArray forQueryHeads(ModelConfig config, NDManager scope, NDArray stored, long[] queryHeads) {
        if (!config.grouped()) {
            return queryHeads == null ? stored : stored.get(scope.create(queryHeads));
        }
        int n = queryHeads == null ? config.nHeads() : queryHeads.length;
        long[] kv = new long[n];
        for (int i = 0; i < n; i++) {
            kv[i] = config.kvHeadOf(queryHeads == null ? i : Math.toIntExact(queryHeads[i]));
        }
        return stored.get(scope.create(kv));
    }
}
