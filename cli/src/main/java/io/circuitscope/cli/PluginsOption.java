package io.circuitscope.cli;

import io.circuitscope.core.plugin.LoadProblem;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.plugin.PluginsDirectory;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

/** {@code --plugins-dir}, taken by every command that runs detectors or tasks, and the plugin host it opens. */
final class PluginsOption {
    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = "Folder of plugin jars (default: $" + PluginsDirectory.ENVIRONMENT_VARIABLE
                    + ", else ~/.circuitscope/plugins).")
    Path dir;

    /** The folder this run loads plugins from. */
    PluginsDirectory directory() {
        return PluginsDirectory.forProcess(Optional.ofNullable(dir));
    }

    /**
     * Opens the host. A folder named by {@code --plugins-dir} that cannot be read is a usage error; any other jar or
     * folder that cannot be used is a warning on stderr, and the run goes on without it.
     */
    PluginHost open(CommandLine commandLine) {
        PluginHost host = openQuietly(commandLine);
        for (LoadProblem p : host.problems()) {
            commandLine.getErr().println("warning: plugin skipped: " + p);
        }
        return host;
    }

    /** Opens the host and leaves its problems to the caller. */
    PluginHost openQuietly(CommandLine commandLine) {
        PluginsDirectory d = directory();
        if (dir != null) {
            d.problem().ifPresent(p -> {
                throw new ParameterException(commandLine, p);
            });
        }
        return PluginHost.open(d);
    }
}
