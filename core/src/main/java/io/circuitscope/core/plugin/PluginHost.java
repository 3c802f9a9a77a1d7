package io.circuitscope.core.plugin;

import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.HeadDetector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.pf4j.Extension;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Finds every detector and task, built-in or from a plugin jar, through PF4J's extension index, and gives the rest of
 * circuitscope one list of each. A jar or extension that cannot be used is skipped and reported in
 * {@link #problems()}; nothing a plugin does while loading stops the host. Closing it unloads the plugins.
 */
public final class PluginHost implements AutoCloseable {
    private final Optional<PluginsDirectory> directory;
    private final HostPluginManager manager;
    private final List<LoadedPlugin> plugins = new ArrayList<>();
    private final ExtensionCatalog catalog = new ExtensionCatalog();

    private PluginHost(Optional<PluginsDirectory> directory) {
        this.directory = directory;
        this.manager = new HostPluginManager(directory.map(PluginsDirectory::path).orElse(Path.of(".")));
    }

    /** A host with the built-in detectors and tasks only. */
    public static PluginHost builtIn() {
        PluginHost host = new PluginHost(Optional.empty());
        host.addBuiltIns();
        return host;
    }

    /** A host with the built-ins and every usable jar in {@code directory}, in file-name order. */
    public static PluginHost open(PluginsDirectory directory) {
        PluginHost host = new PluginHost(Optional.of(directory));
        host.addBuiltIns();
        Optional<String> problem = directory.problem();
        if (problem.isPresent()) {
            host.catalog.problem(directory.path().toString(), problem.get());
        } else if (Files.isDirectory(directory.path())) {
            host.loadJars();
        }
        return host;
    }

    /** The folder plugins were looked for in, or empty for a built-in-only host. */
    public Optional<PluginsDirectory> directory() {
        return directory;
    }

    public List<Installed<HeadDetector>> installedDetectors() {
        return catalog.detectors();
    }

    public List<Installed<CircuitTask>> installedTasks() {
        return catalog.tasks();
    }

    /** Every detector: the built-ins in their column order, then each plugin's, by plugin id. */
    public List<HeadDetector> detectors() {
        return catalog.detectors().stream().map(Installed::extension).toList();
    }

    /** Every task: the built-ins, then each plugin's, by plugin id. */
    public List<CircuitTask> tasks() {
        return catalog.tasks().stream().map(Installed::extension).toList();
    }

    /** The plugins that loaded, each with what it provides, by plugin id. */
    public List<LoadedPlugin> plugins() {
        return Collections.unmodifiableList(plugins);
    }

    /** Every jar or extension that was skipped, and why, in the order they were met. */
    public List<LoadProblem> problems() {
        return catalog.problems();
    }

    /** Where a detector comes from, by its id. */
    public Optional<ExtensionOrigin> detectorOrigin(String id) {
        return originOf(catalog.detectors(), HeadDetector::id, id);
    }

    /** Where a task comes from, by its id. */
    public Optional<ExtensionOrigin> taskOrigin(String id) {
        return originOf(catalog.tasks(), CircuitTask::id, id);
    }

    private static <T> Optional<ExtensionOrigin> originOf(List<Installed<T>> installed, Function<T, String> idOf,
                                                          String id) {
        return installed.stream().filter(i -> idOf.apply(i.extension()).equals(id)).map(Installed::origin)
                .findFirst();
    }

    /**
     * Stops and unloads every plugin and closes its class loader. A plugin whose {@code stop()} fails is still
     * unloaded (see {@link HostPluginManager}); nothing here throws, since the run's outputs are written by now.
     */
    @Override
    public void close() {
        try {
            manager.unloadPlugins();
        } catch (RuntimeException | Error e) {
            // Unloading is best effort at the end of a run; a failure here must not turn a finished run into an error.
        }
    }

    private void addBuiltIns() {
        String label = ExtensionOrigin.BUILT_IN.label();
        List<Class<?>> classes = loadClasses(manager.getExtensionClassNames(null), PluginHost.class.getClassLoader(),
                label);
        addExtensions(classes, ExtensionOrigin.BUILT_IN, label);
    }

    /**
     * The classes an extension index names, in name order; one that cannot be loaded (missing, or its static
     * initializer fails) is reported and left out.
     */
    private List<Class<?>> loadClasses(Set<String> names, ClassLoader loader, String label) {
        List<Class<?>> classes = new ArrayList<>();
        for (String name : new TreeSet<>(names)) {
            try {
                classes.add(Class.forName(name, true, loader));
            } catch (ClassNotFoundException | Error e) {
                catalog.problem(label, "extension " + name + " cannot be loaded: " + FailureText.of(e));
            }
        }
        return classes;
    }

    private void loadJars() {
        List<Path> jars;
        try (Stream<Path> files = Files.list(directory.orElseThrow().path())) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString())).toList();
        } catch (IOException e) {
            catalog.problem(directory.orElseThrow().path().toString(), "cannot be listed: " + e.getMessage());
            return;
        }
        List<PluginWrapper> started = new ArrayList<>();
        for (Path jar : jars) {
            load(jar).ifPresent(started::add);
        }
        started.sort(Comparator.comparing(PluginWrapper::getPluginId));
        for (PluginWrapper w : started) {
            addPluginExtensions(w);
        }
    }

    /** Loads and starts one jar, or reports why not. */
    private Optional<PluginWrapper> load(Path jar) {
        String file = jar.getFileName().toString();
        Optional<String> problem = PluginJarCheck.problem(jar);
        if (problem.isPresent()) {
            catalog.problem(file, problem.get());
            return Optional.empty();
        }
        String id;
        try {
            id = manager.loadPlugin(jar);
        } catch (RuntimeException | LinkageError e) {
            catalog.problem(file, "cannot be loaded: " + e.getMessage());
            return Optional.empty();
        }
        PluginWrapper w = manager.getPlugin(id);
        String requires = w.getDescriptor().getRequires();
        try {
            if (manager.startPlugin(id) == PluginState.STARTED) {
                return Optional.of(w);
            }
            String why = w.getPluginState() == PluginState.DISABLED
                    ? "needs spi " + requires + " (Plugin-Requires), this circuitscope provides spi "
                    + manager.getSystemVersion()
                    : "did not start (" + w.getPluginState() + ")"
                    + Optional.ofNullable(w.getFailedException()).map(t -> ": " + t).orElse("");
            catalog.problem(file, why);
        } catch (IllegalStateException e) {
            catalog.problem(file, e.getMessage());
        } catch (RuntimeException | Error e) {
            catalog.problem(file, "its Plugin-Class " + w.getDescriptor().getPluginClass() + " failed to start: "
                    + FailureText.of(e));
        }
        manager.unloadPlugin(id);
        return Optional.empty();
    }

    private void addPluginExtensions(PluginWrapper w) {
        String id = w.getPluginId();
        String label = id + " (" + w.getPluginPath().getFileName() + ")";
        Set<String> names = manager.getExtensionClassNames(id);
        List<Class<?>> classes = loadClasses(names, w.getPluginClassLoader(), label);
        if (names.isEmpty()) {
            catalog.problem(label, "its " + PluginJarCheck.EXTENSION_INDEX + " names no class: annotate each "
                    + "detector or task with @org.pf4j.Extension");
        }
        ExtensionOrigin origin = ExtensionOrigin.plugin(id, w.getDescriptor().getVersion());
        int before = catalog.size();
        addExtensions(classes, origin, label);
        plugins.add(new LoadedPlugin(id, w.getDescriptor().getVersion(),
                Optional.ofNullable(w.getDescriptor().getProvider()).orElse(""), w.getPluginPath(),
                catalog.size() - before));
    }

    /** Instantiates the classes in {@link Extension#ordinal()} order, then by name, and adds the usable ones. */
    private void addExtensions(List<Class<?>> classes, ExtensionOrigin origin, String label) {
        List<Class<?>> sorted = new ArrayList<>(classes);
        sorted.sort(Comparator.<Class<?>>comparingInt(c -> Optional.ofNullable(c.getAnnotation(Extension.class))
                .map(Extension::ordinal).orElse(0)).thenComparing(Class::getName));
        for (Class<?> c : sorted) {
            boolean detector = HeadDetector.class.isAssignableFrom(c);
            boolean task = CircuitTask.class.isAssignableFrom(c);
            if (!detector && !task) {
                catalog.problem(label, c.getName() + " is neither a HeadDetector nor a CircuitTask of this spi");
                continue;
            }
            Object instance;
            try {
                instance = manager.getExtensionFactory().create(c);
            } catch (RuntimeException | Error e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                catalog.problem(label, c.getName() + " cannot be created: " + FailureText.of(cause));
                continue;
            }
            if (detector) {
                catalog.addDetector((HeadDetector) instance, origin, label);
            }
            if (task) {
                catalog.addTask((CircuitTask) instance, origin, label);
            }
        }
    }
}
