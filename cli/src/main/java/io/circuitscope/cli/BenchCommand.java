package io.circuitscope.cli;

import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.core.analysis.DetectorRunner;
import io.circuitscope.core.bench.ForwardBenchmark;
import io.circuitscope.core.bench.LoadMemoryBenchmark;
import io.circuitscope.core.bench.SyntheticGpt2Checkpoint;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.ParameterSource;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.core.tokenizer.Gpt2BpeTokenizer;
import io.circuitscope.discovery.bench.DiscoveryBenchmark;
import io.circuitscope.discovery.method.DiscoveryProgress;
import io.circuitscope.discovery.patching.MetricKind;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code circuitscope bench}: forward throughput with hooks off and with every hook cached. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the forward pass (default: GPT-2-small-shaped random weights, batch 8 x 128).")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "M", description = "Benchmark this model instead of random GPT-2 small.")
    String model;

    @Option(names = "--batch", defaultValue = "8", description = "Sequences per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--positions", defaultValue = "128", description = "Tokens per sequence (default ${DEFAULT-VALUE}).")
    int positions;

    @Option(names = "--iterations", defaultValue = "5", description = "Timed passes per mode (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--skip-memory", description = "Skip the load-memory measurement (it writes a 1.4 GB GPT-2-medium-shaped"
            + " checkpoint to the temporary directory and loads it in a child JVM).")
    boolean skipMemory;

    @Option(names = "--detectors", description = "Instead of the forward pass, time 'detect' with every built-in"
            + " detector (on random GPT-2 small, the GPT-2 BPE tokenizer serves the IOI prompts).")
    boolean detectors;

    @Option(names = "--discovery", description = "Instead of the forward pass, time EAP and ACDC on the induction task"
            + " in forward-pass equivalents: ACDC over every edge of zoo:toy-induction (or --model), and EAP plus ACDC"
            + " over the top 2,000 edges of random GPT-2 small (8 prompts x 16 tokens).")
    boolean discovery;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (batch < 1 || positions < 1 || iterations < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--batch, --positions and --iterations must be at least 1");
        }
        if (detectors && discovery) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--detectors and --discovery are separate benchmarks: give one of them");
        }
        if (detectors) {
            return benchDetectors();
        }
        if (discovery) {
            return benchDiscovery();
        }
        ParameterSource weights = model == null ? ForwardBenchmark.gpt2SmallRandom() : ModelSource.load(model).parameters();
        String label = model == null ? "gpt2-small-shaped (random weights)" : model;
        ForwardBenchmark.Result r = new ForwardBenchmark(batch, positions, iterations).run(label, weights);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "model                     %s%n", r.model());
        out.printf(Locale.ROOT, "batch x positions         %d x %d, %d timed passes per mode%n", r.batch(), r.positions(),
                r.iterations());
        out.printf(Locale.ROOT, "tokens/s, hooks off       %.0f%n", r.tokensPerSecondHooksOff());
        out.printf(Locale.ROOT, "tokens/s, all %3d cached  %.0f%n", r.hooksCached(), r.tokensPerSecondCacheAll());
        out.printf(Locale.ROOT, "cache-all slowdown        %.3fx%n", r.cacheAllSlowdown());
        out.printf(Locale.ROOT, "forward GFLOP/s           %.1f%n", r.forwardGflopPerSecond());
        out.printf(Locale.ROOT, "libtorch matmul GFLOP/s   %.1f%n", r.matmulGflopPerSecond());
        out.printf(Locale.ROOT, "forward / matmul rate     %.2f%n", r.fractionOfMatmulRate());
        out.printf(Locale.ROOT, "forward / its matmuls     %.2fx  (time of the hooks-off pass over its matmuls alone)%n",
                r.forwardOverMatmulOnly());
        out.printf(Locale.ROOT, "peak RSS                  %d MiB%n", r.peakRssMiB());
        out.flush();
        if (!skipMemory) {
            LoadMemoryBenchmark.Result m = new LoadMemoryBenchmark(SyntheticGpt2Checkpoint.gpt2Medium()).run();
            out.printf(Locale.ROOT, "load + 1 forward (batch 1), fresh JVM, GPT-2-medium-shaped HF checkpoint:%n");
            out.printf(Locale.ROOT, "  weights as float32      %d MiB%n", m.float32MiB());
            out.printf(Locale.ROOT, "  peak RSS                %d MiB (budget %d MiB = float32 size + %d MiB: %s)%n",
                    m.peakRssMiB(), m.budgetMiB(), LoadMemoryBenchmark.ALLOWANCE_MIB,
                    m.withinBudget() ? "within" : "OVER");
            out.printf(Locale.ROOT, "  peak RSS / float32 size %.2fx; load + forward %.1f s%n",
                    (double) m.peakRssMiB() / m.float32MiB(), m.loadAndRunSeconds());
        }
        return 0;
    }

    private int benchDetectors() {
        LoadedModel m = model == null
                ? new LoadedModel("gpt2-small-shaped (random weights)", ForwardBenchmark.gpt2SmallRandom(),
                        Optional.of(new Gpt2BpeTokenizer()), Optional.empty())
                : ModelSource.load(model);
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        List<DetectorOutcome> outcomes;
        double loadSeconds;
        try (HookedTransformer engine = HookedTransformer.load(m.parameters());
             PluginHost builtIn = PluginHost.builtIn()) {
            loadSeconds = (System.nanoTime() - start) / 1e9;
            outcomes = DetectorRunner.run(m, engine, builtIn.detectors(), 1, Map.of(), id -> { });
        }
        double total = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "model                     %s%n", m.source());
        out.printf(Locale.ROOT, "load                      %.1f s%n", loadSeconds);
        for (DetectorOutcome o : outcomes) {
            out.printf(Locale.ROOT, "%-25s %.1f s%s%n", o.id(), o.seconds(), o.problem().map(p -> "  (" + p + ")")
                    .orElse(""));
        }
        out.printf(Locale.ROOT, "detect, all built-ins     %.1f s (load included)%n", total);
        return 0;
    }

    private int benchDiscovery() {
        PrintWriter out = spec.commandLine().getOut();
        LoadedModel small = ModelSource.load(model == null ? "zoo:toy-induction" : model);
        report(out, "ACDC over the whole graph", DiscoveryBenchmark.run(small, 16, 12, MetricKind.KL,
                Integer.MAX_VALUE, DiscoveryProgress.NONE));
        if (model == null) {
            LoadedModel gpt2 = new LoadedModel("gpt2-small-shaped (random weights)", ForwardBenchmark.gpt2SmallRandom(),
                    Optional.empty(), Optional.empty());
            // KL's gradient vanishes at the clean run, so EAP ranks by the logit difference here.
            DiscoveryBenchmark.Result r;
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("gpt2 eap+acdc").setInitialMax(2000)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).build()) {
                r = DiscoveryBenchmark.run(gpt2, 8, 8, MetricKind.LOGIT_DIFF, 2000, (phase, done, total, metric) -> {
                    bar.maxHint(total);
                    bar.stepTo(done);
                });
            }
            report(out, "EAP, then ACDC over the top 2000 edges", r);
        }
        return 0;
    }

    private static void report(PrintWriter out, String what, DiscoveryBenchmark.Result r) {
        out.printf(Locale.ROOT, "%s on %s (%d edges, induction, %d prompts x %d tokens)%n", what, r.model(), r.edges(),
                r.examples(), r.tokens());
        out.printf(Locale.ROOT, "  one forward pass          %.4f s%n", r.forwardSeconds());
        out.printf(Locale.ROOT, "  EAP (setup + backward)    %.3f s, %.2f forward passes%n", r.eapSeconds(), r.eapCost());
        out.printf(Locale.ROOT, "    of which the gradient   %.2f forward passes (setup: clean and corrupted passes, shared"
                + " by every method)%n", r.eapGradientCost());
        out.printf(Locale.ROOT, "  ACDC over %5d edges     %.3f s, %.1f forward passes = %.3f x edges (%d batched"
                + " passes); circuit %d edges%n", r.acdcEdgesTested(), r.acdcSeconds(), r.acdcCost(),
                r.acdcCost() / r.acdcEdgesTested(), r.acdcPasses(), r.circuitEdges());
        out.printf(Locale.ROOT, "  EAP + ACDC total          %.1f s%n", r.eapSeconds() + r.acdcSeconds());
        out.flush();
    }
}
