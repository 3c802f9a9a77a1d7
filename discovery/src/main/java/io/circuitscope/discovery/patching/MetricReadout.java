package io.circuitscope.discovery.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The task metric of one prompt group as a linear readout of the logits at its answer entries: entry e contributes
 * {@code weight[e] * (Σ_v selector[e, v] f(z)[e, v] + constant[e])}, where f is the identity for logit-diff
 * (selector +1 at the distractor, −1 at the answer) and log-softmax for KL (selector −p_clean, constant Σ p log p).
 */
final class MetricReadout implements AutoCloseable {
    private final MetricKind kind;
    private final NDManager manager;
    private final NDArray selector;
    private final NDArray constant;
    private final NDArray weight;
    private final NDArray flatPosition;

    /** @param cleanLogits the clean model's logits at the group's entries, [entries, d_vocab] (read for KL only) */
    MetricReadout(NDManager parent, MetricKind kind, PromptGroup group, NDArray cleanLogits) {
        this.kind = kind;
        this.manager = parent.newSubManager();
        int m = group.entries();
        int vocab = (int) cleanLogits.getShape().get(1);
        weight = manager.create(group.weight);
        flatPosition = manager.create(group.flatPosition);
        if (kind == MetricKind.LOGIT_DIFF) {
            float[] s = new float[m * vocab];
            for (int e = 0; e < m; e++) {
                s[e * vocab + group.answer[e]] -= 1f;
                s[e * vocab + group.distractor[e]] += 1f;
            }
            selector = manager.create(s, new Shape(m, vocab));
            constant = manager.zeros(new Shape(m));
        } else {
            NDArray logP = cleanLogits.logSoftmax(-1);
            NDArray p = logP.exp();
            selector = p.neg();
            constant = p.mul(logP).sum(new int[] {-1});
            selector.attach(manager);
            constant.attach(manager);
        }
    }

    /** The positions to read, as flat indices into [examples × length]. */
    NDArray flatPositions() {
        return flatPosition;
    }

    /** The metric of each of K hypotheses from their logits at the entries, [K, entries, d_vocab] → [K]. */
    NDArray value(NDArray logitsAtEntries) {
        NDArray f = kind == MetricKind.KL ? logitsAtEntries.logSoftmax(-1) : logitsAtEntries;
        NDArray perEntry = f.mul(selector).sum(new int[] {-1}).add(constant);
        return perEntry.mul(weight).sum(new int[] {-1});
    }

    @Override
    public void close() {
        manager.close();
    }
}
