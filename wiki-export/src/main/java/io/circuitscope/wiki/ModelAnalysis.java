package io.circuitscope.wiki;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.analysis.CompositionScores;
import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.core.analysis.DetectorRunner;
import io.circuitscope.core.analysis.EngineDetectionContext;
import io.circuitscope.core.analysis.ModelProbeSets;
import io.circuitscope.core.analysis.TokenizerVocabulary;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.plugin.FailureText;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.discovery.DiscoveryJob;
import io.circuitscope.discovery.graph.ComputationGraph;
import io.circuitscope.discovery.method.DiscoveryResult;
import io.circuitscope.discovery.method.DiscoverySettings;
import io.circuitscope.discovery.patching.MetricKind;
import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HookPoints;
import io.circuitscope.spi.IoiProbe;
import io.circuitscope.spi.ModelRun;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeUnavailableException;
import io.circuitscope.spi.TaskExample;
import io.circuitscope.spi.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/** Runs everything the wiki shows for one model: detectors, composition, attention on probes, and circuits. */
public final class ModelAnalysis {
    /** Distinct tokens in the induction probe's segment, which the prompt holds twice after BOS. */
    static final int PROBE_SEGMENT = 8;
    /** Clean prompts of each task shown in the provenance. */
    static final int PROMPTS_SHOWN = 3;

    private ModelAnalysis() {
    }

    /**
     * @param tasks the tasks to discover circuits for; a task the model cannot serve is reported in its
     *     {@link CircuitReport}, and the rest still run
     */
    public static ModelReport analyse(String slug, LoadedModel model, List<HeadDetector> detectors,
                                      List<CircuitTask> tasks, WikiSettings settings, WikiProgress progress) {
        Map<String, Double> timings = new LinkedHashMap<>();
        ModelShape shape = EngineDetectionContext.shapeOf(model);
        TokenLabels tokens = new TokenLabels(model.tokenizer().map(TokenizerVocabulary::new), shape.bosTokenId());
        try (HookedTransformer engine = HookedTransformer.load(model.parameters())) {
            long start = System.nanoTime();
            List<DetectorOutcome> outcomes = DetectorRunner.run(model, engine, detectors, settings.seed(), Map.of(),
                    settings.detectorTimeLimit(), id -> progress.update(slug, id, ""));
            timings.put("detectors", seconds(start));

            progress.update(slug, "composition", "");
            start = System.nanoTime();
            CompositionScores composition = CompositionScores.of(engine, settings.seed());
            timings.put("composition", seconds(start));

            progress.update(slug, "attention probes", "");
            start = System.nanoTime();
            List<AttentionProbe> probes = probes(model, engine, shape, tokens, settings.seed());
            timings.put("attention probes", seconds(start));

            List<CircuitReport> circuits = new ArrayList<>();
            for (CircuitTask task : tasks) {
                progress.update(slug, "circuit " + task.id(), "");
                circuits.add(circuit(slug, model, engine, task, tokens, settings, progress));
                timings.put("circuit " + task.id(), circuits.get(circuits.size() - 1).seconds());
            }
            return new ModelReport(slug, model.source(), architecture(model), shape, outcomes, composition, probes,
                    circuits, tokens, settings, timings);
        }
    }

    private static CircuitReport circuit(String slug, LoadedModel model, HookedTransformer engine, CircuitTask task,
                                         TokenLabels tokens, WikiSettings settings, WikiProgress progress) {
        long start = System.nanoTime();
        try {
            List<TaskExample> examples = DiscoveryJob.examples(model, task, settings.seed(), settings.examples(),
                    Map.of());
            List<String> prompts = examples.stream().limit(PROMPTS_SHOWN).map(e -> tokens.prompt(e.clean())).toList();
            ComputationGraph graph = DiscoveryJob.graphOf(model);
            DiscoverySettings s = DiscoverySettings.defaults(settings.methodFor(graph),
                    MetricKind.parse(task.defaultMetric()));
            DiscoveryResult r = DiscoveryJob.run(engine, graph, task.id(), examples, s,
                    (phase, done, total, metric) -> progress.update(slug, "circuit " + task.id(),
                            String.format(Locale.ROOT, "%s %d/%d%s", phase, done, total,
                                    Double.isNaN(metric) ? "" : String.format(Locale.ROOT, " metric %.4g", metric))));
            return new CircuitReport(task.id(), task.description(), Optional.of(r), Optional.empty(), prompts,
                    seconds(start));
        } catch (ProbeUnavailableException | CircuitscopeException | IllegalArgumentException e) {
            return new CircuitReport(task.id(), task.description(), Optional.empty(),
                    Optional.of(e.getMessage()), List.of(), seconds(start));
        } catch (RuntimeException | LinkageError e) {
            // A task from a plugin can fail in any way; one task's failure must not lose the whole wiki.
            return new CircuitReport(task.id(), task.description(), Optional.empty(),
                    Optional.of("failed: " + FailureText.of(e, true)), List.of(), seconds(start));
        }
    }

    /**
     * The prompts the head pages show patterns on: a segment of distinct random tokens given twice after BOS (where
     * previous-token, duplicate-token and induction heads are plain to see), and an IOI prompt when the model's
     * tokenizer has the names.
     */
    static List<AttentionProbe> probes(LoadedModel model, HookedTransformer engine, ModelShape shape,
                                       TokenLabels tokens, long seed) {
        ModelProbeSets sets = new ModelProbeSets(model);
        SplittableRandom random = new SplittableRandom(seed ^ 0x77696b69L);
        List<AttentionProbe> out = new ArrayList<>();
        int bos = shape.bosTokenId() >= 0 ? 1 : 0;
        if (bos + 2 * PROBE_SEGMENT <= shape.nCtx()) {
            int[] distinct = sets.nonRepeating(random, 1, bos + PROBE_SEGMENT).get(0).tokens();
            int[] prompt = new int[bos + 2 * PROBE_SEGMENT];
            System.arraycopy(distinct, 0, prompt, 0, bos + PROBE_SEGMENT);
            System.arraycopy(distinct, bos, prompt, bos + PROBE_SEGMENT, PROBE_SEGMENT);
            out.add(probe(model, engine, sets, shape, tokens, prompt, "Repeated random tokens",
                    PROBE_SEGMENT + " distinct random tokens, then the same tokens again"));
        }
        try {
            IoiProbe ioi = sets.ioiPrompts(random, 1).get(0);
            out.add(probe(model, engine, sets, shape, tokens, ioi.tokens(), "IOI prompt",
                    "indirect object " + tokens.label(ioi.ioToken()) + ", subject " + tokens.label(ioi.sToken())));
        } catch (ProbeUnavailableException e) {
            // The model has no IOI names: the repeated-token probe is the only one.
        }
        return out;
    }

    private static AttentionProbe probe(LoadedModel model, HookedTransformer engine, ModelProbeSets sets,
                                        ModelShape shape, TokenLabels tokens, int[] prompt, String title,
                                        String description) {
        Set<String> hooks = new HashSet<>();
        for (int l = 0; l < shape.nLayers(); l++) {
            hooks.add(HookPoints.pattern(l));
        }
        ModelRun run = new EngineDetectionContext(model, engine, sets, 0, "wiki", Map.of())
                .run(new int[][] {prompt}, hooks);
        int n = prompt.length;
        float[][][][] patterns = new float[shape.nLayers()][shape.nHeads()][n][n];
        for (int l = 0; l < shape.nLayers(); l++) {
            Tensor p = run.pattern(l);
            for (int h = 0; h < shape.nHeads(); h++) {
                for (int q = 0; q < n; q++) {
                    for (int k = 0; k < n; k++) {
                        patterns[l][h][q][k] = p.get(0, h, q, k);
                    }
                }
            }
        }
        List<String> labels = new ArrayList<>();
        for (int t : prompt) {
            labels.add(tokens.label(t));
        }
        return new AttentionProbe(title, description, labels, patterns);
    }

    private static String architecture(LoadedModel model) {
        var c = model.config();
        String heads = c.grouped() ? c.nHeads() + " query heads sharing " + c.kvHeads() + " key-value heads"
                : c.nHeads() + " heads";
        String mlp = c.attnOnly() ? "attention-only" : "MLP width " + c.mlpWidth() + (c.gated() ? " (gated)" : "")
                + (c.parallel() ? " in parallel with attention" : "");
        String positions = c.rotary() ? "rotary positions on " + c.rotaryDims() + " of " + c.dHead() + " dims"
                : "learned positions";
        String window = c.windowSize() == null ? "" : ", sliding window " + c.windowSize();
        return String.format(Locale.ROOT, "%d layers, %s of d_head %d, d_model %d, %s, %s, %s normalization%s, "
                        + "vocabulary %d, context %d, %,d parameters", c.nLayers(), heads, c.dHead(), c.dModel(), mlp,
                positions, c.normalization(), window, c.dVocab(), c.nCtx(), c.parameterCount());
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
