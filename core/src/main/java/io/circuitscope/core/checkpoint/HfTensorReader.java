package io.circuitscope.core.checkpoint;

import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ParameterSink;
import io.circuitscope.core.model.TensorFill;
import java.util.Arrays;

/**
 * Reads a Hugging Face checkpoint's tensors under its body prefix (e.g. {@code transformer.}, {@code model.}, or none
 * for a bare base model) and converts torch layouts into TransformerLens's.
 */
final class HfTensorReader {
    private final TensorInventory file;
    private final String prefix;

    /** Uses {@code prefix} when the body's {@code probe} tensor is stored under it, else no prefix. */
    HfTensorReader(TensorInventory file, String prefix, String probe) {
        this.file = file;
        this.prefix = file.contains(prefix + probe) ? prefix : "";
    }

    FloatTensor read(String name, int... shape) {
        return file.read(prefix + name, shape);
    }

    TensorFill fill(String name, int... shape) {
        return file.fill(prefix + name, shape);
    }

    /** Streams a tensor stored exactly as TransformerLens holds it, straight to the sink. */
    void pass(ParameterSink sink, String tlName, String name, int... shape) {
        sink.accept(tlName, shape, fill(name, shape));
    }

    /** A torch Linear weight [heads × d_head, d_model] as TransformerLens's W_Q/W_K/W_V [heads, d_model, d_head]. */
    FloatTensor headsIn(String name, int heads, int dModel, int dHead) {
        return headsIn(read(name, heads * dHead, dModel), 0, 1, heads, dModel, dHead);
    }

    /**
     * Rows {@code (h × stride + offset) × d_head ..} of a torch Linear weight [.., d_model] for each head h, as
     * [heads, d_model, d_head]: a fused projection whose rows hold several blocks per head (stride) picks one.
     */
    static FloatTensor headsIn(FloatTensor w, int offset, int stride, int heads, int dModel, int dHead) {
        float[] src = w.data();
        float[] dst = new float[heads * dModel * dHead];
        for (int h = 0; h < heads; h++) {
            int rowBase = (h * stride + offset) * dHead;
            for (int j = 0; j < dHead; j++) {
                int row = (rowBase + j) * dModel;
                for (int i = 0; i < dModel; i++) {
                    dst[(h * dModel + i) * dHead + j] = src[row + i];
                }
            }
        }
        return new FloatTensor(dst, heads, dModel, dHead);
    }

    /** The same row selection of a fused bias [..] as [heads, d_head]. */
    static FloatTensor headsBias(FloatTensor b, int offset, int stride, int heads, int dHead) {
        float[] dst = new float[heads * dHead];
        for (int h = 0; h < heads; h++) {
            System.arraycopy(b.data(), (h * stride + offset) * dHead, dst, h * dHead, dHead);
        }
        return new FloatTensor(dst, heads, dHead);
    }

    /** A Linear bias [heads × d_head] as [heads, d_head], or zeros when the checkpoint has no such bias. */
    FloatTensor headsBiasOrZeros(String name, boolean present, int heads, int dHead) {
        return present ? new FloatTensor(read(name, heads * dHead).data(), heads, dHead)
                : FloatTensor.zeros(heads, dHead);
    }

    /** A torch Linear weight [d_model, heads × d_head] as TransformerLens's W_O [heads, d_head, d_model]. */
    FloatTensor headsOut(String name, int heads, int dHead, int dModel) {
        return read(name, dModel, heads * dHead).transpose2d().reshape(heads, dHead, dModel);
    }

    /** A torch Linear weight [out, in] as TransformerLens's [in, out]. */
    FloatTensor transposed(String name, int out, int in) {
        return read(name, out, in).transpose2d();
    }

    /** A vector tensor, or zeros when the checkpoint has none (a model without that bias). */
    FloatTensor vectorOrZeros(String name, boolean present, int size) {
        return present ? read(name, size) : FloatTensor.zeros(size);
    }

    /**
     * Streams the token embedding as W_E and the unembedding as W_U (zero b_U), as transformers ends up with them.
     * When tied, transformers replaces any stored head by the embedding, so a stored one that differs is ambiguous
     * and refused; when untied, the head must be there. The head is looked up with and without the body prefix.
     */
    void embeddings(ParameterSink sink, String embedName, String headName, boolean tied, ModelConfig cfg,
                    String configFile) {
        int[] shape = {cfg.dVocab(), cfg.dModel()};
        String head = file.contains(headName) ? headName : file.contains(prefix + headName) ? prefix + headName : null;
        if (head == null && !tied) {
            throw new CheckpointException(file.label() + ": missing tensor '" + headName + "' (expected shape "
                    + Arrays.toString(shape) + "): " + configFile + " sets tie_word_embeddings to false");
        }
        if (head == null) {
            pass(sink, "embed.W_E", embedName, shape);
            sink.acceptTranspose("unembed.W_U", "embed.W_E");
        } else if (!tied) {
            pass(sink, "embed.W_E", embedName, shape);
            sink.accept("unembed.W_U", file.read(head, shape).transpose2d());
        } else {
            FloatTensor embed = read(embedName, shape);
            if (!Arrays.equals(file.read(head, shape).data(), embed.data())) {
                throw new CheckpointException(file.label() + ": tensor '" + head + "' differs from '" + embedName
                        + "', but " + configFile + " ties them (tie_word_embeddings is true, or absent where that"
                        + " means true), so transformers would ignore it; set tie_word_embeddings to false to use it");
            }
            sink.accept("embed.W_E", embed);
            sink.acceptTranspose("unembed.W_U", "embed.W_E");
        }
        sink.accept("unembed.b_U", FloatTensor.zeros(cfg.dVocab()));
    }
}
