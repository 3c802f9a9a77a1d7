package io.circuitscope.core.analysis;

import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.plugin.FailureText;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.ProbeUnavailableException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs detectors one after another on one model and isolates each: a detector whose probes the model cannot serve,
 * that throws, that runs past its time limit, or that returns scores of the wrong shape or non-finite scores is
 * reported, and the rest still run.
 */
public final class DetectorRunner {
    private DetectorRunner() {
    }

    /** How long a detector may run on one model before it is abandoned, unless the user sets another limit. */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofMinutes(10);

    /** Runs with the {@linkplain #DEFAULT_TIME_LIMIT default time limit}. */
    public static List<DetectorOutcome> run(LoadedModel model, HookedTransformer engine, List<HeadDetector> detectors,
                                            long seed, Map<String, String> options,
                                            Consumer<String> progress) {
        return run(model, engine, detectors, seed, options, DEFAULT_TIME_LIMIT, progress);
    }

    /**
     * @param options settings keyed {@code <detector-id>.<name>}; each detector sees its own, without the prefix
     * @param timeLimit how long each detector may take; one that takes longer is reported and abandoned, and its
     *     context is revoked so that it can no longer run the model
     * @param progress called with each detector's id before it starts
     * @return one outcome per detector, in the given order
     */
    public static List<DetectorOutcome> run(LoadedModel model, HookedTransformer engine, List<HeadDetector> detectors,
                                            long seed, Map<String, String> options, Duration timeLimit,
                                            Consumer<String> progress) {
        ModelProbeSets probes = new ModelProbeSets(model);
        ModelShape shape = EngineDetectionContext.shapeOf(model);
        List<DetectorOutcome> out = new ArrayList<>();
        for (HeadDetector d : detectors) {
            progress.accept(d.id());
            long start = System.nanoTime();
            RevocableContext context = new RevocableContext(new EngineDetectionContext(model, engine, probes, seed,
                    d.id(), optionsFor(d.id(), options)));
            Optional<HeadScores> scores = Optional.empty();
            String problem;
            try {
                HeadScores s = withinLimit(d, context, timeLimit);
                problem = s == null ? "returned no scores" : s.mismatch(shape);
                if (problem == null) {
                    scores = Optional.of(s);
                }
            } catch (TimeoutException e) {
                problem = "failed: no result within its time limit of " + seconds(timeLimit) + "; abandoned";
            } catch (InterruptedException e) {
                // Someone asked this thread to stop: stop the whole run, not just this detector.
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while " + d.id() + " ran");
            } catch (ProbeUnavailableException e) {
                problem = "skipped: " + FailureText.messageOf(e);
            } catch (Throwable e) {
                problem = "failed: " + FailureText.of(e, true);
            }
            out.add(new DetectorOutcome(d.id(), d.description(), scores, Optional.ofNullable(problem),
                    (System.nanoTime() - start) / 1e9));
        }
        return out;
    }

    /**
     * Runs one detector on a thread of its own, so that one that never returns can be left behind. The thread is a
     * daemon: Java cannot stop a thread safely, and an abandoned detector must not keep the process alive.
     *
     * @throws Throwable whatever the detector threw; {@link TimeoutException} or {@link InterruptedException} after
     *     revoking the context
     */
    private static HeadScores withinLimit(HeadDetector d, RevocableContext context, Duration timeLimit)
            throws Throwable {
        FutureTask<HeadScores> task = new FutureTask<>(() -> d.detect(context));
        Thread worker = new Thread(task, "detector " + d.id());
        worker.setDaemon(true);
        worker.start();
        try {
            return task.get(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException | InterruptedException e) {
            // Revoke first: it waits for a call already inside the engine to finish, and afterwards the detector,
            // interrupted or not, can no longer reach the engine the caller goes on to use or close.
            context.revoke("it ran past its time limit");
            task.cancel(true);
            throw e;
        }
    }

    private static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
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
