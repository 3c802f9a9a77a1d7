package io.circuitscope.core.engine;

import io.circuitscope.core.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/** TransformerLens hook-point names, and the full ordered list of hook points a model exposes. */
public final class HookNames {
    /** The token embedding rows W_E[token], [batch, pos, d_model]. */
    public static final String EMBED = "hook_embed";
    /** The positional embedding rows W_pos[pos] (a copy, never a view of the weights), [batch, pos, d_model]. */
    public static final String POS_EMBED = "hook_pos_embed";
    /** The final normalization's output, [batch, pos, d_model]; only in normalized models. */
    public static final String LN_FINAL_NORMALIZED = "ln_final.hook_normalized";
    /**
     * The final normalization's divisor, sqrt(var + eps) (sqrt(mean of squares + eps) for RMSNorm), [batch, pos, 1];
     * only in normalized models.
     */
    public static final String LN_FINAL_SCALE = "ln_final.hook_scale";

    private HookNames() {
    }

    /** The residual stream entering {@code layer}, [batch, pos, d_model]. */
    public static String residPre(int layer) {
        return block(layer, "hook_resid_pre");
    }

    /** Per-head copy of the residual stream read by the queries of {@code layer}, shape [batch, pos, head, d_model]. */
    public static String qInput(int layer) {
        return block(layer, "hook_q_input");
    }

    /** Per-head copy of the residual stream read by the keys of {@code layer}, [batch, pos, head, d_model]. */
    public static String kInput(int layer) {
        return block(layer, "hook_k_input");
    }

    /** Per-head copy of the residual stream read by the values of {@code layer}, [batch, pos, head, d_model]. */
    public static String vInput(int layer) {
        return block(layer, "hook_v_input");
    }

    /**
     * The divisor sqrt(var + eps) (RMS: sqrt(mean of squares + eps)) of the normalization before attention: [batch, pos, 1], or [batch, pos, head, 1]
     * once a per-head q/k/v input is patched (then it fires for q, k and v in turn, as TransformerLens's split
     * inputs do). Only in normalized models.
     */
    public static String ln1Scale(int layer) {
        return block(layer, "ln1.hook_scale");
    }

    /** The normalized input to attention, after LN's weight and bias: [batch, pos, d_model] or per head, as ln1Scale. */
    public static String ln1Normalized(int layer) {
        return block(layer, "ln1.hook_normalized");
    }

    /** The divisor of the normalization before the MLP, [batch, pos, 1]; only in normalized models with MLPs. */
    public static String ln2Scale(int layer) {
        return block(layer, "ln2.hook_scale");
    }

    /** The normalized input to the MLP, [batch, pos, d_model]. */
    public static String ln2Normalized(int layer) {
        return block(layer, "ln2.hook_normalized");
    }

    /** Queries, [batch, pos, head, d_head]. */
    public static String q(int layer) {
        return block(layer, "attn.hook_q");
    }

    /**
     * Keys, [batch, pos, kv_head, d_head]: one per key-value head in a grouped-query model, or one per query head
     * (n_heads of them) once a per-head key or value input is patched or differentiated, as TransformerLens's
     * ungrouped attention gives.
     */
    public static String k(int layer) {
        return block(layer, "attn.hook_k");
    }

    /** Values, shaped as {@link #k}. */
    public static String v(int layer) {
        return block(layer, "attn.hook_v");
    }

    /** Queries after the rotary embedding, [batch, pos, head, d_head]; only in rotary models. */
    public static String rotQ(int layer) {
        return block(layer, "attn.hook_rot_q");
    }

    /** Keys after the rotary embedding, shaped as {@link #k}; only in rotary models. */
    public static String rotK(int layer) {
        return block(layer, "attn.hook_rot_k");
    }

    /** Scaled scores before softmax, keys after the query at -infinity, [batch, head, query pos, key pos]. */
    public static String attnScores(int layer) {
        return block(layer, "attn.hook_attn_scores");
    }

    /** Attention pattern (softmax of the scores), [batch, head, query pos, key pos]. */
    public static String pattern(int layer) {
        return block(layer, "attn.hook_pattern");
    }

    /** Pattern-weighted values, [batch, pos, head, d_head]. */
    public static String z(int layer) {
        return block(layer, "attn.hook_z");
    }

    /** Per-head output of {@code layer} before summing over heads, shape [batch, pos, head, d_model]. */
    public static String result(int layer) {
        return block(layer, "attn.hook_result");
    }

    /** The attention layer's output, the sum of the heads' results plus b_O, [batch, pos, d_model]. */
    public static String attnOut(int layer) {
        return block(layer, "hook_attn_out");
    }

    /**
     * The residual stream between attention and MLP, [batch, pos, d_model]; only in models with sequential MLPs (a
     * parallel block has no stream between them).
     */
    public static String residMid(int layer) {
        return block(layer, "hook_resid_mid");
    }

    /**
     * The MLP's input, a copy of resid_mid (of resid_pre in a parallel block), [batch, pos, d_model]; patching it
     * never reaches the residual stream.
     */
    public static String mlpIn(int layer) {
        return block(layer, "hook_mlp_in");
    }

    /** The MLP's hidden pre-activation, [batch, pos, d_mlp]: x W_in + b_in, or x W_gate in a gated MLP. */
    public static String mlpPre(int layer) {
        return block(layer, "mlp.hook_pre");
    }

    /** The linear half of a gated MLP, x W_in + b_in, [batch, pos, d_mlp]; only in gated models. */
    public static String mlpPreLinear(int layer) {
        return block(layer, "mlp.hook_pre_linear");
    }

    /** The MLP's hidden activation, [batch, pos, d_mlp]: act(pre), times pre_linear in a gated MLP. */
    public static String mlpPost(int layer) {
        return block(layer, "mlp.hook_post");
    }

    /** The MLP's output, [batch, pos, d_model]. */
    public static String mlpOut(int layer) {
        return block(layer, "hook_mlp_out");
    }

    /** The residual stream leaving {@code layer}, [batch, pos, d_model]. */
    public static String residPost(int layer) {
        return block(layer, "hook_resid_post");
    }

    /**
     * The hooks whose sum is the residual stream entering layer 0: hook_embed and hook_pos_embed, or hook_embed
     * alone in a rotary model, whose positions enter inside attention.
     */
    public static List<String> embeddings(ModelConfig config) {
        return config.rotary() ? List.of(EMBED) : List.of(EMBED, POS_EMBED);
    }

    /** Every hook point of a model with this config, in the order a forward pass reaches them. */
    public static List<String> all(ModelConfig config) {
        boolean normalized = config.normalization() != ModelConfig.Normalization.NONE;
        List<String> names = new ArrayList<>(embeddings(config));
        for (int l = 0; l < config.nLayers(); l++) {
            names.addAll(List.of(residPre(l), qInput(l), kInput(l), vInput(l)));
            if (normalized) {
                names.addAll(List.of(ln1Scale(l), ln1Normalized(l)));
            }
            names.addAll(List.of(q(l), k(l), v(l)));
            if (config.rotary()) {
                names.addAll(List.of(rotQ(l), rotK(l)));
            }
            names.addAll(List.of(attnScores(l), pattern(l), z(l), result(l), attnOut(l)));
            if (config.hasMlp()) {
                if (!config.parallel()) {
                    names.add(residMid(l));
                }
                names.add(mlpIn(l));
                if (normalized) {
                    names.addAll(List.of(ln2Scale(l), ln2Normalized(l)));
                }
                names.add(mlpPre(l));
                if (config.gated()) {
                    names.add(mlpPreLinear(l));
                }
                names.addAll(List.of(mlpPost(l), mlpOut(l)));
            }
            names.add(residPost(l));
        }
        if (normalized) {
            names.addAll(List.of(LN_FINAL_SCALE, LN_FINAL_NORMALIZED));
        }
        return names;
    }

    /**
     * The layer a hook point belongs to: -1 for hook_embed and hook_pos_embed, L for {@code blocks.L.*}, and
     * n_layers for the final normalization's hooks. Layer ranges use it to tell which hooks a pass reaches.
     */
    public static int layerOf(String hookName, ModelConfig config) {
        if (hookName.equals(EMBED) || hookName.equals(POS_EMBED)) {
            return -1;
        }
        if (hookName.startsWith("blocks.")) {
            int dot = hookName.indexOf('.', "blocks.".length());
            return Integer.parseInt(hookName.substring("blocks.".length(), dot));
        }
        return config.nLayers();
    }

    private static String block(int layer, String suffix) {
        return "blocks." + layer + "." + suffix;
    }
}
