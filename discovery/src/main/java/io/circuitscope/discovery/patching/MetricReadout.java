package io.circuitscope.discovery.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The task metric of one prompt group as a linear readout of the logits at its answer entries: entry e contributes
 * {@code weight[e] * (Σ_v selector[e, v] f(z)[e, v] + constant[e])}, where f is the identity for logit-diff
 * (selector +1 at the distractor, −1 at the answer) and log-softmax for KL (selector −p_clean, constant Σ p log p).
 * Logit-diff reads only two columns of the unembedding per entry, so it can also be read from the final normalized
 * residual stream along one direction per entry, W_U[:, distractor] − W_U[:, answer], without forming the logits.
 */
final class MetricReadout {
    private final MetricKind kind;
    private final NDArray selector;
    private final NDArray constant;
    private final NDArray weight;
    private final NDArray direction;
    private final NDArray directionBias;

    /**
     * @param owner the manager that keeps the readout's arrays; they are freed with it
     * @param cleanLogits the clean model's logits at the group's entries, [entries, d_vocab] (read for KL only)
     * @param wU the unembedding W_U [d_model, d_vocab]
     * @param bU its bias b_U [d_vocab]
     */
    MetricReadout(NDManager owner, MetricKind kind, PromptGroup group, NDArray cleanLogits, NDArray wU, NDArray bU) {
        this.kind = kind;
        int m = group.entries();
        int vocab = (int) cleanLogits.getShape().get(1);
        weight = owner.create(group.weight);
        if (kind == MetricKind.LOGIT_DIFF) {
            float[] s = new float[m * vocab];
            for (int e = 0; e < m; e++) {
                s[e * vocab + group.answer[e]] -= 1f;
                s[e * vocab + group.distractor[e]] += 1f;
            }
            selector = owner.create(s, new Shape(m, vocab));
            constant = owner.zeros(new Shape(m));
            long[] answers = java.util.Arrays.stream(group.answer).asLongStream().toArray();
            long[] distractors = java.util.Arrays.stream(group.distractor).asLongStream().toArray();
            NDArray a = wU.getManager().create(answers);
            NDArray d = wU.getManager().create(distractors);
            NDArray columns = wU.transpose();
            direction = columns.get(d).sub(columns.get(a));
            directionBias = bU.get(d).sub(bU.get(a));
            direction.attach(owner);
            directionBias.attach(owner);
        } else {
            NDArray logP = cleanLogits.logSoftmax(-1);
            NDArray p = logP.exp();
            selector = p.neg();
            constant = p.mul(logP).sum(new int[] {-1});
            selector.attach(owner);
            constant.attach(owner);
            direction = null;
            directionBias = null;
        }
    }

    /** The metric of each of K hypotheses from their logits at the entries, [K, entries, d_vocab] → [K]. */
    NDArray value(NDArray logitsAtEntries) {
        NDArray f = kind == MetricKind.KL ? logitsAtEntries.logSoftmax(-1) : logitsAtEntries;
        NDArray perEntry = f.mul(selector).sum(new int[] {-1}).add(constant);
        return perEntry.mul(weight).sum(new int[] {-1});
    }

    /** True when the metric can be read from the normalized final residual stream by {@link #valueFromNormalized}. */
    boolean readsDirections() {
        return direction != null;
    }

    /** The metric of each of K hypotheses from ln_final's output at the entries, [K, entries, d_model] → [K]. */
    NDArray valueFromNormalized(NDArray normalized) {
        NDArray perEntry = normalized.mul(direction).sum(new int[] {-1}).add(directionBias);
        return perEntry.mul(weight).sum(new int[] {-1});
    }
}
