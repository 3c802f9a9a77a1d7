package io.circuitscope.cli;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.core.plugin.LoadProblem;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.discovery.method.DiscoveryMethod;
import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.wiki.CircuitReport;
import io.circuitscope.wiki.ModelAnalysis;
import io.circuitscope.wiki.ModelReport;
import io.circuitscope.wiki.ModelSlugs;
import io.circuitscope.wiki.SiteDirectory;
import io.circuitscope.wiki.WikiSettings;
import io.circuitscope.wiki.WikiTasks;
import io.circuitscope.wiki.render.HeadWikiWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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

/** {@code circuitscope wiki}: runs every detector and each model's discovery tasks, then writes the head wiki. */
@Command(name = "wiki", mixinStandardHelpOptions = true,
        description = "Label every head, find each model's circuits and write a browsable HTML + CSV head wiki.")
final class WikiCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M", converter = NonEmpty.TextConverter.class,
            description = "An HF GPT-2 directory, a native (TransformerLens) directory, or zoo:NAME. Repeatable.")
    List<String> models;

    @Option(names = "--out", required = true, paramLabel = "DIR", converter = NonEmpty.PathConverter.class,
            description = "The wiki folder. It is replaced only when the run succeeds, and only if it is missing, "
                    + "empty or an earlier wiki.")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed for probes and tasks (default ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    DetectorSelection selection = new DetectorSelection();

    @Mixin
    PluginsOption plugins = new PluginsOption();

    @Option(names = "--method", paramLabel = "METHOD", description = "acdc, eap, eap-ig, exact or eap+acdc (default: "
            + "acdc on graphs of up to " + WikiSettings.ACDC_EDGE_LIMIT + " edges, eap+acdc on larger ones).")
    String method;

    @Option(names = "--examples", defaultValue = "16", description = "Examples drawn for each task (default ${DEFAULT-VALUE}).")
    int examples;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (PluginHost host = plugins.open(spec.commandLine())) {
            return wiki(host);
        }
    }

    private int wiki(PluginHost host) {
        long start = System.nanoTime();
        List<HeadDetector> detectors = selection.choose(host.detectors(), spec.commandLine());
        Map<String, String> origins = new TreeMap<>();
        host.installedDetectors().forEach(i -> origins.put(i.extension().id(), i.origin().label()));
        WikiSettings settings;
        try {
            settings = new WikiSettings(seed, Optional.ofNullable(method).map(DiscoveryMethod::parse), examples,
                    CircuitscopeCommand.VERSION, selection.timeLimit(spec.commandLine()), origins,
                    host.problems().stream().map(LoadProblem::toString).toList());
            String refusal = SiteDirectory.refusal(out);
            if (refusal != null) {
                throw new IllegalArgumentException(refusal);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException e) {
            throw new CircuitscopeException("cannot read " + out + ": " + e.getMessage());
        }
        // Every model is loaded (and so checked) before minutes of analysis begin.
        List<LoadedModel> loaded = models.stream().map(ModelSource::load).toList();
        List<String> slugs = ModelSlugs.of(models);
        List<List<CircuitTask>> tasks = loaded.stream().map(m -> WikiTasks.forModel(m, host.tasks())).toList();
        long stages = 0;
        for (List<CircuitTask> t : tasks) {
            stages += detectors.size() + 2 + t.size();
        }
        PrintWriter err = spec.commandLine().getErr();
        List<ModelReport> reports = new ArrayList<>();
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("wiki").setInitialMax(stages)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).build()) {
            String[] last = {""};
            for (int i = 0; i < loaded.size(); i++) {
                reports.add(ModelAnalysis.analyse(slugs.get(i), loaded.get(i), detectors, tasks.get(i), settings,
                        (model, stage, detail) -> {
                            String key = model + " " + stage;
                            if (!key.equals(last[0])) {
                                if (!last[0].isEmpty()) {
                                    bar.step();
                                }
                                last[0] = key;
                            }
                            bar.setExtraMessage(" " + key + (detail.isEmpty() ? "" : " " + detail));
                        }));
            }
            bar.stepTo(stages);
        }
        for (ModelReport r : reports) {
            for (DetectorOutcome o : r.detectors()) {
                o.problem().ifPresent(p -> err.println("warning: " + r.slug() + ": " + o.id() + " " + p));
            }
            for (CircuitReport c : r.circuits()) {
                c.problem().ifPresent(p -> err.println("warning: " + r.slug() + ": no " + c.task() + " circuit: " + p));
            }
        }
        String generated = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            HeadWikiWriter.write(out, reports, generated);
        } catch (IOException | RuntimeException e) {
            throw new CircuitscopeException("cannot write the wiki to " + out + ": " + e.getMessage());
        }
        report(reports, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private void report(List<ModelReport> reports, double seconds) {
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "wrote %s (%d models) in %.1f s%n", out.resolve("index.html"), reports.size(), seconds);
        for (ModelReport r : reports) {
            List<String> labels = new ArrayList<>();
            for (DetectorOutcome d : r.scored()) {
                labels.add(d.id() + " " + d.scores().orElseThrow().labelledCount());
            }
            o.printf(Locale.ROOT, "%-16s labelled: %s%n", r.slug(), String.join(", ", labels));
            for (CircuitReport c : r.circuits()) {
                o.printf(Locale.ROOT, "%-16s circuit %s: %s%n", "", c.task(), c.result().map(d -> String.format(
                        Locale.ROOT, "%d of %d edges, faithfulness %.3f", d.circuit().cardinality(),
                        d.graph().edgeCount(), d.faithfulness())).orElse("none (" + c.problem().orElse("") + ")"));
            }
        }
    }
}
