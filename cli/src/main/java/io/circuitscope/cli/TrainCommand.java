package io.circuitscope.cli;

import io.circuitscope.core.zoo.ModelCardWriter;
import io.circuitscope.core.zoo.TaskEvaluation;
import io.circuitscope.core.zoo.ZooTask;
import io.circuitscope.core.zoo.ZooTasks;
import io.circuitscope.core.zoo.ZooTrainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code circuitscope train}: trains a toy zoo model and writes it with its model card. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a small transformer on a task with known structure (induction or ioi).")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--task", required = true, description = "induction or ioi.")
    String task;

    @Option(names = "--out", required = true, paramLabel = "DIR", converter = NonEmpty.PathConverter.class,
            description = "Directory to write the model to.")
    Path out;

    @Option(names = "--steps", description = "Optimiser steps (default: the task's documented count).")
    Integer steps;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!ZooTasks.names().contains(task)) {
            throw new ParameterException(spec.commandLine(), "unknown --task '" + task + "'; known tasks: "
                    + String.join(", ", ZooTasks.names()));
        }
        ZooTask t = ZooTasks.byName(task);
        int n = steps == null ? t.defaultSteps() : steps;
        if (n < 1) {
            throw new ParameterException(spec.commandLine(), "--steps must be at least 1");
        }
        // Fail before minutes of training, not after.
        ModelCardWriter.checkTarget(out);
        ZooTrainer.Result r;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("train " + t.name()).setInitialMax(n)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).build()) {
            r = ZooTrainer.train(t, n, seed, (step, loss) -> {
                bar.step();
                bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", loss));
            });
        }
        ModelCardWriter.write(out, t, r);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "wrote %s (%d steps, seed %d, %.1f s of training)%n", out, r.steps(), r.seed(),
                r.trainingSeconds());
        o.printf(Locale.ROOT, "final loss %.4f%n", r.finalLoss());
        TaskEvaluation e = r.evaluation();
        for (Map.Entry<String, Double> m : new TreeMap<>(e.metrics()).entrySet()) {
            Double required = e.thresholds().get(m.getKey());
            o.printf(Locale.ROOT, "%-34s %.4f%s%n", m.getKey(), m.getValue(),
                    required == null ? "" : "  (required >= " + required + ")");
        }
        o.println(e.passed() ? "meets all thresholds" : "BELOW THRESHOLD: train longer or with another seed");
        return 0;
    }
}
