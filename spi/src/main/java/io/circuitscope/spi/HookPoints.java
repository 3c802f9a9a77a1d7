package io.circuitscope.spi;

/** TransformerLens hook names that detectors commonly ask for. */
public final class HookPoints {
    /** Not a hook: the name that asks {@link DetectionContext#run} for the logits, which it skips otherwise. */
    public static final String LOGITS = "logits";

    private HookPoints() {
    }

    public static String pattern(int layer) {
        return "blocks." + layer + ".attn.hook_pattern";
    }

    /** Each head's output written to the residual stream, [batch, pos, head, d_model]. */
    public static String result(int layer) {
        return "blocks." + layer + ".attn.hook_result";
    }

    /** Each head's query input, [batch, pos, head, d_model]. */
    public static String qInput(int layer) {
        return "blocks." + layer + ".hook_q_input";
    }

    /** Each head's key input, [batch, pos, head, d_model]. */
    public static String kInput(int layer) {
        return "blocks." + layer + ".hook_k_input";
    }

    public static String residPre(int layer) {
        return "blocks." + layer + ".hook_resid_pre";
    }

    /** The final layer norm's scale, [batch, pos, 1]; absent in models without a final norm. */
    public static String finalScale() {
        return "ln_final.hook_scale";
    }
}
