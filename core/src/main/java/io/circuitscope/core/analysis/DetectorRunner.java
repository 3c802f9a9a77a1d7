package io.circuitscope.core.analysis;

import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs detectors one after another on one model and isolates each: a detector whose probes the model cannot serve,
 * that throws, or that returns scores of the wrong shape or non-finite scores is reported, and the rest still run.
 */
public final class DetectorRunner {
    private DetectorRunner() {
    }

    /**
     * @param options settings keyed {@code <detector-id>.<name>}; each detector sees its own, without the prefix
     * @param progress called with each detector's id before it starts
     * @return one outcome per detector, in the given order
     */
    public static List<DetectorOutcome> run(LoadedModel model, HookedTransformer engine, List<HeadDetector> detectors,
                                            long seed, Map<String, String> options,
                                            Consumer<String> progress) {
        ModelProbeSets probes = new ModelProbeSets(model);
        ModelShape shape = EngineDetectionContext.shapeOf(model);
        List<DetectorOutcome> out = new ArrayList<>();
        for (HeadDetector d : detectors) {
            progress.accept(d.id());
            long start = System.nanoTime();
            Optional<HeadScores> scores = Optional.empty();
            String problem;
            try {
                HeadScores s = d.detect(new EngineDetectionContext(model, engine, probes, seed, d.id(),
                        optionsFor(d.id(), options)));
                problem = s == null ? "returned no scores" : s.mismatch(shape);
                if (problem == null) {
                    scores = Optional.of(s);
                }
            } catch (ProbeUnavailableException e) {
                problem = "skipped: " + e.getMessage();
            } catch (RuntimeException | LinkageError e) {
                problem = "failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            out.add(new DetectorOutcome(d.id(), d.description(), scores, Optional.ofNullable(problem),
                    (System.nanoTime() - start) / 1e9));
        }
        return out;
    }

    private static Map<String, String> optionsFor(String id, Map<String, String> options) {
        Map<String, String> mine = new TreeMap<>();
        options.forEach((k, v) -> {
            if (k.startsWith(id + ".")) {
                mine.put(k.substring(id.length() + 1), v);
            }
        });
        return mine;
    }
}
