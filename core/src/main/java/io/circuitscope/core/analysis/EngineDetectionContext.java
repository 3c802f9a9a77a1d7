package io.circuitscope.core.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.circuitscope.core.engine.ActivationPatch;
import io.circuitscope.core.engine.ForwardResult;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.engine.RunOptions;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HookPatch;
import io.circuitscope.spi.HookPoints;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeSets;
import io.circuitscope.spi.Tensor;
import io.circuitscope.spi.TokenVocabulary;
import io.circuitscope.spi.WeightView;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The {@link DetectionContext} the host gives one detector: runs go through the DJL engine and come back as heap
 * {@link Tensor}s, and the random source is seeded from the run's seed and the detector's id.
 */
public final class EngineDetectionContext implements DetectionContext {

    private final LoadedModel model;
    private final HookedTransformer engine;
    private final long seed;
    private final SplittableRandom random;
    private final ProbeSets probes;
    private final EngineWeightView weights;
    private final Map<String, String> options;

    /** @param options this detector's settings by name (without the detector-id prefix) */
    public EngineDetectionContext(LoadedModel model, HookedTransformer engine, ProbeSets probes, long seed,
                                  String detectorId, Map<String, String> options) {
        this.options = Map.copyOf(options);
        this.model = model;
        this.engine = engine;
        this.seed = seed;
        this.random = new SplittableRandom(seed ^ seedOf(detectorId));
        this.probes = probes;
        this.weights = new EngineWeightView(engine);
    }

    /** A stable 64-bit hash of the id (String.hashCode is only 32 bits and collides easily). */
    static long seedOf(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /** The shape of a loaded model, as the SPI describes it. */
    public static ModelShape shapeOf(LoadedModel model) {
        ModelConfig c = model.config();
        return new ModelShape(c.nLayers(), c.nHeads(), c.dModel(), c.dHead(), c.dVocab(), c.nCtx(),
                model.bosTokenId().orElse(-1), c.attnOnly(),
                // The SPI uses TransformerLens's spellings, which the config holds; no normalization is "none".
                c.normalization() == ModelConfig.Normalization.NONE ? "none" : c.normalizationType());
    }

    @Override
    public ModelShape shape() {
        return shapeOf(model);
    }

    @Override
    public Optional<TokenVocabulary> vocabulary() {
        return model.tokenizer().map(TokenizerVocabulary::new);
    }

    @Override
    public SplittableRandom random() {
        return random;
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public ProbeSets probes() {
        return probes;
    }

    @Override
    public ModelRun run(int[][] tokens, Set<String> hooks, List<HookPatch> patches) {
        try (NDManager out = engine.manager().newSubManager()) {
            RunOptions.Builder options = RunOptions.builder();
            if (!hooks.contains(HookPoints.LOGITS)) {
                // Unembedding every position of a real vocabulary costs as much as a layer; nobody asked for it.
                options.logitsAt(0);
            }
            for (String hook : hooks) {
                if (!hook.equals(HookPoints.LOGITS)) {
                    options.cache(hook);
                }
            }
            for (HookPatch p : patches) {
                Tensor v = p.value();
                NDArray value = out.create(v.data(), new Shape(java.util.Arrays.stream(v.shape())
                        .asLongStream().toArray()));
                options.patch(p.hookName(), p.head() < 0 ? ActivationPatch.replaceWith(value)
                        : ActivationPatch.replaceHeads(value, headAxis(p.hookName()), p.head()));
            }
            ForwardResult r = engine.run(out, tokens, options.build());
            Map<String, Tensor> values = new HashMap<>();
            for (String hook : hooks) {
                values.put(hook, toTensor(hook.equals(HookPoints.LOGITS) ? r.logits() : r.cache().get(hook)));
            }
            return new HeapModelRun(values);
        }
    }

    /** Patterns and scores hold heads on axis 1 ([batch, head, q, k]); every other per-head hook on axis 2. */
    private static int headAxis(String hook) {
        return hook.endsWith("hook_pattern") || hook.endsWith("hook_attn_scores") ? 1 : 2;
    }

    static Tensor toTensor(NDArray a) {
        return new Tensor(java.util.Arrays.stream(a.getShape().getShape()).mapToInt(Math::toIntExact).toArray(),
                a.toFloatArray());
    }

    @Override
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    @Override
    public WeightView weights() {
        return weights;
    }
}
