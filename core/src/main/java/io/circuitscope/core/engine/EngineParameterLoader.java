package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ParameterLayout;
import io.circuitscope.core.model.ParameterSink;
import io.circuitscope.core.model.TensorFill;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Copies streamed parameters into libtorch-owned memory one at a time, so that loading holds at most one tensor on
 * the heap and one in a staging buffer besides the engine's copy.
 */
// DJL backs an array made from Java data with a direct ByteBuffer that is freed only when the garbage collector
// gets to it, so a model built that way would keep a second, collector-paced claim on memory. Instead each tensor is
// written into one reused staging buffer, wrapped without a copy, and cloned by libtorch, which owns the clone.
final class EngineParameterLoader implements ParameterSink {
    private static final Pattern INPUT_PROJECTION = Pattern.compile("blocks\\.\\d+\\.attn\\._?W_[QKV]");
    private final NDManager manager;
    private final Map<String, int[]> layout;
    private final Map<String, NDArray> params = new HashMap<>();
    private final ByteBuffer staging;

    EngineParameterLoader(NDManager manager, ModelConfig config) {
        this.manager = manager;
        this.layout = ParameterLayout.of(config);
        long largest = layout.values().stream().mapToLong(FloatTensor::sizeOf).max().orElse(0);
        this.staging = ByteBuffer.allocateDirect(Math.toIntExact(largest * Float.BYTES)).order(ByteOrder.nativeOrder());
    }

    @Override
    public void accept(String name, FloatTensor value) {
        accept(name, value.shape(), out -> out.put(value.data()));
    }

    @Override
    public void accept(String name, int[] shape, TensorFill fill) {
        int[] expected = expect(name);
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException("parameter " + name + " has shape " + Arrays.toString(shape)
                    + ", expected " + Arrays.toString(expected));
        }
        store(name, shape, fill);
    }

    private void store(String name, int[] shape, TensorFill fill) {
        int bytes = Math.toIntExact(FloatTensor.sizeOf(shape) * Float.BYTES);
        staging.clear();
        FloatBuffer floats = staging.asFloatBuffer();
        fill.writeTo(floats);
        if (floats.position() * Float.BYTES != bytes) {
            throw new IllegalArgumentException("parameter " + name + " was given " + floats.position() + " values for "
                    + bytes / Float.BYTES);
        }
        ByteBuffer view = staging.slice(0, bytes).order(ByteOrder.nativeOrder());
        long[] dims = Arrays.stream(shape).asLongStream().toArray();
        try (NDArray wrapped = manager.create(view, new Shape(dims), DataType.FLOAT32)) {
            params.put(name, INPUT_PROJECTION.matcher(name).matches() ? headMajorViewOfWide(wrapped)
                    : wrapped.duplicate());
        }
    }

    /**
     * W_Q, W_K or W_V [head, d_model, d_head] stored as one contiguous [d_model, head * d_head] matrix and seen through
     * a view of the TransformerLens shape. The hook-free pass projects all heads with one matmul against exactly that
     * matrix, which it would otherwise rebuild (a copy of the weight) in every pass.
     */
    private static NDArray headMajorViewOfWide(NDArray weight) {
        long h = weight.getShape().get(0);
        long d = weight.getShape().get(1);
        long e = weight.getShape().get(2);
        // reshape copies only when it must: with a single head the transpose is already contiguous, and the "wide"
        // matrix would be a view of the staging buffer that the next parameter overwrites, so it is copied here.
        try (NDArray dFirst = weight.transpose(1, 0, 2);
             NDArray reshaped = dFirst.reshape(d, h * e);
             NDArray wide = h == 1 ? reshaped.duplicate() : null;
             NDArray split = (wide == null ? reshaped : wide).reshape(d, h, e)) {
            // The view keeps the storage alive after the handles it came from are closed.
            return split.transpose(1, 0, 2);
        }
    }

    @Override
    public void acceptTranspose(String name, String of) {
        int[] shape = expect(name);
        NDArray base = params.get(of);
        if (base == null || base.getShape().dimension() != 2 || base.getShape().get(0) != shape[1]
                || base.getShape().get(1) != shape[0]) {
            throw new IllegalArgumentException("parameter " + name + " " + Arrays.toString(shape)
                    + " cannot be the transpose of " + of + (base == null ? ", which was not streamed before it"
                    : " " + base.getShape()));
        }
        // A strided view: matmul reads it in place, so a tied unembedding costs no second copy.
        params.put(name, base.transpose());
    }

    /** The parameters in state-dict order, once every one the config needs has arrived. */
    Map<String, NDArray> parameters() {
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : layout.entrySet()) {
            NDArray p = params.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("missing parameter " + e.getKey() + " (expected shape "
                        + Arrays.toString(e.getValue()) + ")");
            }
            ordered.put(e.getKey(), p);
        }
        return ordered;
    }

    private int[] expect(String name) {
        int[] shape = layout.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("unexpected parameter " + name + " for this config");
        }
        if (params.containsKey(name)) {
            throw new IllegalArgumentException("parameter " + name + " was streamed twice");
        }
        return shape;
    }
}
