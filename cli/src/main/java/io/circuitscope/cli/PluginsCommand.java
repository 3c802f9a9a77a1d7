package io.circuitscope.cli;

import io.circuitscope.core.plugin.Installed;
import io.circuitscope.core.plugin.LoadProblem;
import io.circuitscope.core.plugin.LoadedPlugin;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.plugin.PluginsDirectory;
import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.HeadDetector;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code circuitscope plugins}: every detector and task with its origin, the plugins loaded, and the jars skipped. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List every detector and task (built-in or from a plugin jar), the plugins loaded, and why any "
                + "jar was skipped.")
final class PluginsCommand implements Callable<Integer> {
    @Mixin
    PluginsOption plugins = new PluginsOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        try (PluginHost host = plugins.openQuietly(spec.commandLine())) {
            PluginsDirectory d = host.directory().orElseThrow();
            o.printf(Locale.ROOT, "plugins directory: %s (%s)%n", d.path(), d.source());
            o.println();
            o.println("detectors:");
            table(o, host.installedDetectors(), HeadDetector::id, HeadDetector::description);
            o.println();
            o.println("tasks:");
            table(o, host.installedTasks(), CircuitTask::id, CircuitTask::description);
            o.println();
            o.println("plugins loaded:" + (host.plugins().isEmpty() ? " none" : ""));
            for (LoadedPlugin p : host.plugins()) {
                o.printf(Locale.ROOT, "  %-22s %-12s %-28s %s%n", p.id(), p.version(),
                        p.provider().isEmpty() ? "-" : p.provider(), p.jar().getFileName());
            }
            o.println();
            o.println("load failures:" + (host.problems().isEmpty() ? " none" : ""));
            for (LoadProblem p : host.problems()) {
                o.println("  " + p);
            }
        }
        return 0;
    }

    private static <T> void table(PrintWriter o, List<Installed<T>> installed, Function<T, String> id,
                                  Function<T, String> description) {
        for (Installed<T> i : installed) {
            o.printf(Locale.ROOT, "  %-22s %-38s %s%n", id.apply(i.extension()), i.origin().label(),
                    description.apply(i.extension()));
        }
    }
}
