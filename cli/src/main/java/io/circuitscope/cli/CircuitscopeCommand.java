package io.circuitscope.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top-level {@code circuitscope} command, which only lists its subcommands. */
@Command(name = "circuitscope", mixinStandardHelpOptions = true, version = "circuitscope " + CircuitscopeCommand.VERSION,
        description = "Mechanistic interpretability on the JVM: hooked transformers, head detectors, circuits.",
        subcommands = {InfoCommand.class, LogitsCommand.class, PredictCommand.class, DetectCommand.class,
                DiscoverCommand.class, WikiCommand.class, TrainCommand.class,
                PluginsCommand.class, BenchCommand.class})
public final class CircuitscopeCommand implements Runnable {
    /** The version written into every output's provenance. */
    static final String VERSION = "0.1.0";

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces for errors.")
    boolean debug;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
