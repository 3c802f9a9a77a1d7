package io.circuitscope.spi;

/**
 * Replaces a hook's value during a run: the whole activation, or one head's slice of a per-head hook
 * ({@code hook_result}, {@code hook_z}, {@code hook_q_input}, ...), with a value of the activation's shape.
 *
 * @param head the head whose slice is replaced, or -1 to replace the whole activation
 * @param value the replacement, of the full activation's shape; for a head patch only that head's slice is read
 */
public record HookPatch(String hookName, int head, Tensor value) {
    public static HookPatch replace(String hookName, Tensor value) {
        return new HookPatch(hookName, -1, value);
    }

    public static HookPatch replaceHead(String hookName, int head, Tensor value) {
        if (head < 0) {
            throw new IllegalArgumentException("head must be non-negative");
        }
        return new HookPatch(hookName, head, value);
    }
}
