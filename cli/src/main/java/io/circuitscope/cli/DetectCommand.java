package io.circuitscope.cli;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.core.analysis.DetectorRunner;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.wiki.HeadTableCsv;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
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

/** {@code circuitscope detect}: scores every head with every detector and writes {@code heads.csv}. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Score every attention head with the head detectors and write heads.csv.")
final class DetectCommand implements Callable<Integer> {
    @Mixin
    ModelOption modelOption = new ModelOption();

    @Mixin
    DetectorSelection selection = new DetectorSelection();

    @Mixin
    PluginsOption plugins = new PluginsOption();

    @Option(names = "--seed", defaultValue = "1", description = "Random seed for the probes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--set", paramLabel = "ID.NAME=VALUE",
            description = "A detector setting, e.g. induction.measure=tl-mul. Repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--out", required = true, paramLabel = "heads.csv", converter = NonEmpty.PathConverter.class,
            description = "The head table to write.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (PluginHost host = plugins.open(spec.commandLine())) {
            return detect(host);
        }
    }

    private int detect(PluginHost host) {
        List<HeadDetector> detectors = selection.choose(host.detectors(), spec.commandLine());
        Duration timeLimit = selection.timeLimit(spec.commandLine());
        checkSettings(detectors);
        LoadedModel m = modelOption.load();
        List<DetectorOutcome> outcomes;
        try (HookedTransformer model = HookedTransformer.load(m.parameters());
             ProgressBar bar = new ProgressBarBuilder().setTaskName("detect").setInitialMax(detectors.size())
                     .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).build()) {
            outcomes = DetectorRunner.run(m, model, detectors, seed, settings, timeLimit, id -> {
                if (bar.getCurrent() < bar.getMax() && !id.equals(detectors.get(0).id())) {
                    bar.step();
                }
                bar.setExtraMessage(" " + id);
            });
            bar.stepTo(detectors.size());
        }
        PrintWriter err = spec.commandLine().getErr();
        for (DetectorOutcome o : outcomes) {
            o.problem().ifPresent(p -> err.println("warning: " + o.id() + " " + p));
        }
        if (outcomes.stream().allMatch(o -> o.scores().isEmpty())) {
            throw new CircuitscopeException("no detector produced scores for " + m.source() + "; nothing written");
        }
        try {
            HeadTableCsv.write(out, m.config().nLayers(), m.config().nHeads(), outcomes);
        } catch (IOException e) {
            throw new CircuitscopeException("cannot write " + out + ": " + e.getMessage());
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "wrote %s (%d heads)%n", out, m.config().nLayers() * m.config().nHeads());
        for (DetectorOutcome d : outcomes) {
            String origin = host.detectorOrigin(d.id()).filter(x -> x.pluginId().isPresent())
                    .map(x -> "  (" + x.label() + ")").orElse("");
            d.scores().ifPresent(s -> o.printf(Locale.ROOT, "%-20s %3d labelled  %6.1f s%s%n", d.id(),
                    s.labelledCount(), d.seconds(), origin));
        }
        return 0;
    }

    /** Every --set names a chosen detector and a setting it accepts, so a typo fails before minutes of work. */
    private void checkSettings(List<HeadDetector> detectors) {
        for (String key : settings.keySet()) {
            int dot = key.indexOf('.');
            String id = dot < 0 ? key : key.substring(0, dot);
            HeadDetector d = detectors.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow(() ->
                    new ParameterException(spec.commandLine(), "--set " + key + ": '" + id
                            + "' is not one of the detectors being run (" + String.join(", ",
                            detectors.stream().map(HeadDetector::id).toList()) + ")"));
            String name = dot < 0 ? "" : key.substring(dot + 1);
            if (!d.options().containsKey(name)) {
                throw new ParameterException(spec.commandLine(), "--set " + key + ": " + id + " has "
                        + (d.options().isEmpty() ? "no settings" : "the settings " + String.join(", ",
                        new java.util.TreeSet<>(d.options().keySet()))));
            }
        }
    }
}
