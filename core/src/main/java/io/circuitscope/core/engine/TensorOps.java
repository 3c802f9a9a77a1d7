package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The tensor operations DJL lacks (per-head einsums, tanh-GELU, TransformerLens normalizations), built from
 * matMul, reshape and element-wise NDArray ops; every result belongs to the first operand's manager.
 */
final class TensorOps {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private TensorOps() {
    }

    /**
     * einsum("bpd,hde->bphe"): one shared input projected by every head, done as a single matmul against the
     * heads' weights laid side by side, which is what makes the un-hooked path fast.
     */
    static NDArray projectShared(NDArray x, NDArray w, NDArray bias) {
        long b = x.getShape().get(0);
        long p = x.getShape().get(1);
        long d = x.getShape().get(2);
        long h = w.getShape().get(0);
        long e = w.getShape().get(2);
        NDArray wide = w.transpose(1, 0, 2).reshape(d, h * e);
        return affine(x, wide, bias.reshape(h * e)).reshape(b, p, h, e);
    }

    /** einsum("bphd,hde->bphe"): each head projects its own input, batched over heads. */
    static NDArray projectPerHead(NDArray x, NDArray w, NDArray bias) {
        long b = x.getShape().get(0);
        long p = x.getShape().get(1);
        long h = x.getShape().get(2);
        long d = x.getShape().get(3);
        long e = w.getShape().get(2);
        NDArray byHead = x.transpose(2, 0, 1, 3).reshape(h, b * p, d).matMul(w);
        NDArray out = byHead.reshape(h, b, p, e).transpose(1, 2, 0, 3);
        return bias == null ? out : addToFresh(out, bias);
    }

    /** einsum("bphe,hed->bpd") + bias: the sum over heads of each head's output plus b_O, as one fused matmul. */
    static NDArray mergeHeads(NDArray z, NDArray wO, NDArray bias) {
        long b = z.getShape().get(0);
        long p = z.getShape().get(1);
        long h = wO.getShape().get(0);
        long e = wO.getShape().get(1);
        long d = wO.getShape().get(2);
        return affine(z.reshape(b, p, h * e), wO.reshape(h * e, d), bias);
    }

    /**
     * {@code x @ w + bias} over the last axis of x, for w [in, out], as one libtorch linear call: the bias is added
     * by the matrix multiply itself (addmm) rather than in a second pass over the output.
     */
    static NDArray affine(NDArray x, NDArray w, NDArray bias) {
        // linear takes the weight as [out, in]; the transposed view of w is exactly that, with no copy.
        try (NDArray outIn = w.transpose()) {
            return Linear.linear(x, outIn, bias).singletonOrThrow();
        }
    }

    /**
     * {@code fresh + other}, in place when autograd is off. Only for arrays the pass has just created and not yet
     * shown to a hook: a fresh [tokens, width] buffer costs an allocation and page faults, which add up to a visible
     * share of a GPT-2-small forward pass.
     */
    static NDArray addToFresh(NDArray fresh, NDArray other) {
        return JniUtils.isGradMode() ? fresh.add(other) : fresh.addi(other);
    }

    /** {@code fresh * factor}, in place when autograd is off; same contract as {@link #addToFresh}. */
    static NDArray scaleFresh(NDArray fresh, double factor) {
        return JniUtils.isGradMode() ? fresh.mul(factor) : fresh.muli(factor);
    }

    /** LayerNorm over the last axis with biased variance, as TransformerLens LN; weight and bias may be null (LNPre). */
    static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, double eps) {
        long d = x.getShape().get(x.getShape().dimension() - 1);
        NDArray gamma = weight != null ? weight : x.getManager().ones(new Shape(d));
        NDArray beta = bias != null ? bias : x.getManager().zeros(new Shape(d));
        return LayerNorm.layerNorm(x, new Shape(d), gamma, beta, (float) eps).singletonOrThrow();
    }

    /** The MLP activation named by TransformerLens {@code act_fn}. */
    static NDArray activation(NDArray x, String actFn) {
        return switch (actFn) {
            case "gelu_new" -> geluTanh(x);
            case "gelu" -> x.mul(x.div(Math.sqrt(2.0)).erf().add(1.0)).mul(0.5);
            case "relu" -> x.maximum(0f);
            case "silu" -> x.mul(x.neg().exp().add(1.0).pow(-1.0));
            default -> throw new IllegalArgumentException("unsupported act_fn " + actFn);
        };
    }

    /**
     * GPT-2's gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), computed as x sigmoid(2 sqrt(2/pi) x (1 +
     * 0.044715 x^2)), the same function (0.5 (1 + tanh u) = sigmoid(2u)) in six passes over the activations instead
     * of nine. Without autograd the passes run in place (see {@link #addToFresh}); both ways give the same bits.
     */
    static NDArray geluTanh(NDArray x) {
        if (JniUtils.isGradMode()) {
            NDArray u = x.square().mul(2 * SQRT_2_OVER_PI * 0.044715).add(2 * SQRT_2_OVER_PI).mul(x);
            return Activation.sigmoid(u).mul(x);
        }
        NDArray u = x.square().muli(2 * SQRT_2_OVER_PI * 0.044715).addi(2 * SQRT_2_OVER_PI).muli(x);
        return Activation.sigmoid(u).muli(x);
    }
}
