package io.circuitscope.cli;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.io.AtomicFileWriter;
import io.circuitscope.core.plugin.ExtensionOrigin;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.discovery.DiscoveryJob;
import io.circuitscope.discovery.eval.FaithfulnessCurve;
import io.circuitscope.discovery.io.CircuitGraphFiles;
import io.circuitscope.discovery.io.CircuitJson;
import io.circuitscope.discovery.method.DiscoveryMethod;
import io.circuitscope.discovery.method.DiscoveryResult;
import io.circuitscope.discovery.method.DiscoverySettings;
import io.circuitscope.discovery.patching.Ablation;
import io.circuitscope.discovery.patching.MetricKind;
import io.circuitscope.discovery.task.TaskNames;
import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.ProbeUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code circuitscope discover}: finds the circuit behind a task and writes it as MIB JSON (and DOT / GraphML). */
@Command(name = "discover", mixinStandardHelpOptions = true,
        description = "Find the circuit behind a task by edge patching and write it as MIB/EAP-IG circuit JSON.")
final class DiscoverCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption = new ModelOption();

    @Option(names = "--task", required = true, paramLabel = "TASK",
            description = "induction, ioi, or a CSV file with columns clean,corrupted,answer,distractor.")
    String taskName;

    @Option(names = "--method", defaultValue = "acdc", paramLabel = "METHOD",
            description = "acdc, eap, eap-ig, exact or eap+acdc (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--metric", paramLabel = "METRIC",
            description = "kl or logit-diff, both minimised (default: the task's; kl for induction, logit-diff for ioi).")
    String metric;

    @Option(names = "--ablation", defaultValue = "resample", paramLabel = "KIND",
            description = "What an absent edge carries: resample (corrupted prompt), zero or mean (default ${DEFAULT-VALUE}).")
    String ablation;

    @Option(names = "--threshold", paramLabel = "TAU",
            description = "ACDC: drop an edge when its removal raises the metric by less than TAU (default 1% of "
                    + "|m(full) - m(empty)|). Score methods: keep edges scoring at least TAU (default: the smallest "
                    + "top-n reaching --target).")
    Double threshold;

    @Option(names = "--abs-delta", description = "ACDC compares |delta| with the threshold.")
    boolean absDelta;

    @Option(names = "--ranking", defaultValue = "absolute", paramLabel = "absolute|signed",
            description = "Rank edges by absolute (MIB's default) or signed score (default ${DEFAULT-VALUE}).")
    String ranking;

    @Option(names = "--ig-steps", defaultValue = "5", description = "EAP-IG interpolation steps (default ${DEFAULT-VALUE}).")
    int igSteps;

    @Option(names = "--top-k", defaultValue = "2000", description = "eap+acdc: edges handed to ACDC (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--target", defaultValue = "0.9",
            description = "Score methods: the faithfulness the chosen top-n must reach (default ${DEFAULT-VALUE}).")
    double target;

    @Option(names = "--examples", defaultValue = "16", description = "Examples drawn for a built-in task (default ${DEFAULT-VALUE}); a CSV task uses all its rows.")
    int examples;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed for the examples (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--set", paramLabel = "TASK.NAME=VALUE", description = "A task setting, e.g. induction.segment=8.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--reference", paramLabel = "circuit.json",
            description = "A reference circuit (MIB JSON) to compare with: edge ROC AUC, precision and recall.")
    Path reference;

    @Option(names = "--out", required = true, paramLabel = "circuit.json", converter = NonEmpty.PathConverter.class,
            description = "The circuit file to write.")
    Path out;

    @Option(names = "--dot", paramLabel = "FILE", description = "Also write the circuit as Graphviz DOT.")
    Path dot;

    @Option(names = "--graphml", paramLabel = "FILE", description = "Also write the whole graph as GraphML.")
    Path graphml;

    @Mixin
    PluginsOption plugins = new PluginsOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (PluginHost host = plugins.open(spec.commandLine())) {
            return discover(host);
        }
    }

    private int discover(PluginHost host) {
        CircuitTask task;
        DiscoverySettings s;
        Map<String, String> taskOptions = new LinkedHashMap<>();
        try {
            task = TaskNames.resolve(taskName, host.tasks());
            for (Map.Entry<String, String> e : settings.entrySet()) {
                String prefix = task.id() + ".";
                String name = e.getKey().startsWith(prefix) ? e.getKey().substring(prefix.length()) : null;
                if (name == null || !task.options().containsKey(name)) {
                    throw new IllegalArgumentException("--set " + e.getKey() + ": task " + task.id() + " has "
                            + (task.options().isEmpty() ? "no settings" : "the settings " + task.options().keySet()));
                }
                taskOptions.put(name, e.getValue());
            }
            if (!ranking.equals("absolute") && !ranking.equals("signed")) {
                throw new IllegalArgumentException("--ranking must be absolute or signed, got '" + ranking + "'");
            }
            if (examples < 1) {
                throw new IllegalArgumentException("--examples must be at least 1");
            }
            s = new DiscoverySettings(DiscoveryMethod.parse(method),
                    MetricKind.parse(metric != null ? metric : task.defaultMetric()), Ablation.parse(ablation),
                    threshold, absDelta, ranking.equals("absolute"), igSteps, topK, target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        for (Path target : new Path[] {out, dot, graphml}) {
            if (target != null && java.nio.file.Files.isDirectory(target)) {
                throw new ParameterException(spec.commandLine(), target + " is a directory, not a file to write");
            }
        }
        LoadedModel m = modelOption.load();
        DiscoveryResult r;
        try (HookedTransformer model = HookedTransformer.load(m.parameters());
             ProgressBar bar = new ProgressBarBuilder().setTaskName("discover").setInitialMax(1)
                     .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).build()) {
            r = DiscoveryJob.run(m, model, task, s, seed, examples, taskOptions, reference,
                    (phase, done, total, value) -> {
                        bar.maxHint(total);
                        bar.stepTo(done);
                        bar.setExtraMessage(String.format(Locale.ROOT, " %s%s", phase,
                                Double.isNaN(value) ? "" : String.format(Locale.ROOT, " metric %.4g", value)));
                    });
        } catch (ProbeUnavailableException | IllegalArgumentException e) {
            throw new CircuitscopeException(task.id() + " on " + m.source() + ": " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            ExtensionOrigin origin = host.taskOrigin(task.id()).orElse(ExtensionOrigin.BUILT_IN);
            if (origin.pluginId().isEmpty()) {
                throw e;
            }
            // A plugin's failure is the plugin's, not circuitscope's: name the task and where it came from.
            throw new CircuitscopeException(task.id() + " (" + origin.label() + ") failed on " + m.source() + ": "
                    + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        write(m, r);
        report(r);
        return 0;
    }

    /** Renders every file first, so that a failure in one leaves none of them half-updated. */
    private void write(LoadedModel m, DiscoveryResult r) {
        Map<String, Object> provenance = CircuitJson.provenance(m.source(), seed, CircuitscopeCommand.VERSION);
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(out, CircuitJson.toJson(r, provenance));
        if (dot != null) {
            files.put(dot, CircuitGraphFiles.dot(r.graph(), r.circuit(), r.scores()).getBytes(StandardCharsets.UTF_8));
        }
        if (graphml != null) {
            files.put(graphml, CircuitGraphFiles.graphMl(r.graph(), r.circuit(), r.scores())
                    .getBytes(StandardCharsets.UTF_8));
        }
        for (Map.Entry<Path, byte[]> f : files.entrySet()) {
            try {
                AtomicFileWriter.writeBytes(f.getKey(), f.getValue());
            } catch (IOException e) {
                throw new CircuitscopeException("cannot write " + f.getKey() + ": " + e.getMessage());
            }
        }
    }

    private void report(DiscoveryResult r) {
        PrintWriter o = spec.commandLine().getOut();
        FaithfulnessCurve c = r.curve();
        o.printf(Locale.ROOT, "wrote %s: %s on %s, metric %s (minimised), %s ablation%n", out,
                r.settings().method().id(), r.task(), r.settings().metric().id(), r.settings().ablation().id());
        o.printf(Locale.ROOT, "circuit       %d of %d edges (%.1f%%)%n", r.circuit().cardinality(),
                r.graph().edgeCount(), 100.0 * r.circuit().cardinality() / r.graph().edgeCount());
        o.printf(Locale.ROOT, "metric        full %.4f  empty %.4f  circuit %.4f%n", r.metricFull(), r.metricEmpty(),
                r.metricCircuit());
        o.printf(Locale.ROOT, "faithfulness  %.4f%n", r.faithfulness());
        o.printf(Locale.ROOT, "MIB curve     CPR %.4f  CMD %.4f  (edges ranked by %s score)%n", c.cpr(), c.cmd(),
                c.absoluteRanking() ? "absolute" : "signed");
        if (r.reference() != null) {
            o.printf(Locale.ROOT, "reference     ROC AUC %.4f  precision %.4f  recall %.4f  (%d reference edges)%n",
                    r.reference().rocAuc(), r.reference().precision(), r.reference().recall(),
                    r.reference().referenceEdges());
        }
    }
}
