package io.circuitscope.spi;

/** The logits and the cached hooks of one forward pass. */
public interface ModelRun {
    /** Logits [batch, pos, d_vocab], when {@link HookPoints#LOGITS} was requested. */
    Tensor logits();

    /**
     * A cached hook's value, in TransformerLens's shape (for example {@code hook_pattern} is
     * [batch, head, query, key] and {@code hook_result} is [batch, pos, head, d_model]).
     *
     * @throws IllegalArgumentException when the hook was not requested
     */
    Tensor activation(String hookName);

    /** The attention pattern of one layer, [batch, head, query, key]; it must have been requested. */
    default Tensor pattern(int layer) {
        return activation(HookPoints.pattern(layer));
    }
}
