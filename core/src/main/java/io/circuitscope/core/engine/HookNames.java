package io.circuitscope.core.engine;

import io.circuitscope.core.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/** TransformerLens hook-point names, and the full ordered list of hook points a model exposes. */
public final class HookNames {
    public static final String EMBED = "hook_embed";
    public static final String POS_EMBED = "hook_pos_embed";
    public static final String LN_FINAL_NORMALIZED = "ln_final.hook_normalized";

    private HookNames() {
    }

    public static String residPre(int layer) {
        return block(layer, "hook_resid_pre");
    }

    /** Per-head copy of the residual stream read by the queries of {@code layer}, shape [batch, pos, head, d_model]. */
    public static String qInput(int layer) {
        return block(layer, "hook_q_input");
    }

    public static String kInput(int layer) {
        return block(layer, "hook_k_input");
    }

    public static String vInput(int layer) {
        return block(layer, "hook_v_input");
    }

    public static String q(int layer) {
        return block(layer, "attn.hook_q");
    }

    public static String k(int layer) {
        return block(layer, "attn.hook_k");
    }

    public static String v(int layer) {
        return block(layer, "attn.hook_v");
    }

    public static String attnScores(int layer) {
        return block(layer, "attn.hook_attn_scores");
    }

    public static String pattern(int layer) {
        return block(layer, "attn.hook_pattern");
    }

    public static String z(int layer) {
        return block(layer, "attn.hook_z");
    }

    /** Per-head output of {@code layer} before summing over heads, shape [batch, pos, head, d_model]. */
    public static String result(int layer) {
        return block(layer, "attn.hook_result");
    }

    public static String attnOut(int layer) {
        return block(layer, "hook_attn_out");
    }

    public static String residMid(int layer) {
        return block(layer, "hook_resid_mid");
    }

    public static String mlpIn(int layer) {
        return block(layer, "hook_mlp_in");
    }

    public static String mlpPre(int layer) {
        return block(layer, "mlp.hook_pre");
    }

    public static String mlpPost(int layer) {
        return block(layer, "mlp.hook_post");
    }

    public static String mlpOut(int layer) {
        return block(layer, "hook_mlp_out");
    }

    public static String residPost(int layer) {
        return block(layer, "hook_resid_post");
    }

    /** Every hook point of a model with this config, in the order a forward pass reaches them. */
    public static List<String> all(ModelConfig config) {
        List<String> names = new ArrayList<>(List.of(EMBED, POS_EMBED));
        for (int l = 0; l < config.nLayers(); l++) {
            names.addAll(List.of(residPre(l), qInput(l), kInput(l), vInput(l), q(l), k(l), v(l),
                    attnScores(l), pattern(l), z(l), result(l), attnOut(l)));
            if (config.hasMlp()) {
                names.addAll(List.of(residMid(l), mlpIn(l), mlpPre(l), mlpPost(l), mlpOut(l)));
            }
            names.add(residPost(l));
        }
        names.add(LN_FINAL_NORMALIZED);
        return names;
    }

    private static String block(int layer, String suffix) {
        return "blocks." + layer + "." + suffix;
    }
}
