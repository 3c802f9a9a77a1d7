package io.circuitscope.core.plugin;

import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.HeadDetector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The detectors and tasks accepted so far, and the problems met: an extension is accepted only when its id is
 * kebab-case and not yet taken, and when its id, description, settings and (for a task) default metric can be read
 * without an exception, since every later step relies on them.
 */
final class ExtensionCatalog {
    private static final Pattern KEBAB = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Set<String> METRICS = Set.of("kl", "logit-diff");
    /** The fixed columns of {@code heads.csv}, which a detector's column must not repeat. */
    private static final Set<String> HEAD_TABLE_COLUMNS = Set.of("layer", "head", "labels");

    private final List<Installed<HeadDetector>> detectors = new ArrayList<>();
    private final List<Installed<CircuitTask>> tasks = new ArrayList<>();
    private final List<LoadProblem> problems = new ArrayList<>();

    List<Installed<HeadDetector>> detectors() {
        return Collections.unmodifiableList(detectors);
    }

    List<Installed<CircuitTask>> tasks() {
        return Collections.unmodifiableList(tasks);
    }

    List<LoadProblem> problems() {
        return Collections.unmodifiableList(problems);
    }

    int size() {
        return detectors.size() + tasks.size();
    }

    void problem(String source, String message) {
        problems.add(new LoadProblem(source, message));
    }

    void addDetector(HeadDetector d, ExtensionOrigin origin, String source) {
        Optional<ExtensionDescription> found = check(d.getClass().getName(), source, d::id, d::description, d::options,
                takenBy(detectors, HeadDetector::id), "detector");
        if (found.isEmpty()) {
            return;
        }
        ExtensionDescription x = found.get();
        if (HEAD_TABLE_COLUMNS.contains(x.id())) {
            problem(source, "detector id '" + x.id() + "' of " + d.getClass().getName() + " is a fixed column of "
                    + "heads.csv (layer, head, labels); it was skipped");
            return;
        }
        detectors.add(new Installed<>(new CheckedDetector(d, x), origin));
    }

    void addTask(CircuitTask t, ExtensionOrigin origin, String source) {
        Optional<ExtensionDescription> found = check(t.getClass().getName(), source, t::id, t::description, t::options,
                takenBy(tasks, CircuitTask::id), "task");
        if (found.isEmpty()) {
            return;
        }
        ExtensionDescription x = found.get();
        String metric;
        try {
            metric = t.defaultMetric();
        } catch (RuntimeException | Error e) {
            problem(source, "task " + x.id() + ": defaultMetric() threw " + FailureText.of(e));
            return;
        }
        if (!METRICS.contains(metric)) {
            problem(source, "task " + x.id() + ": default metric '" + metric + "' is not kl or logit-diff");
            return;
        }
        tasks.add(new Installed<>(new CheckedTask(t, x, metric), origin));
    }

    private static <T> Map<String, String> takenBy(List<Installed<T>> accepted, Function<T, String> id) {
        Map<String, String> taken = new HashMap<>();
        accepted.forEach(i -> taken.put(id.apply(i.extension()), i.origin().label()));
        return taken;
    }

    /** What the extension says about itself when it is usable, else empty with the reason recorded. */
    private Optional<ExtensionDescription> check(String className, String source, Supplier<String> id,
                                      Supplier<String> description, Supplier<Map<String, String>> options,
                                      Map<String, String> taken, String kind) {
        ExtensionDescription found;
        try {
            String text = description.get();
            Map<String, String> settings = options.get();
            if (text == null || settings == null) {
                problem(source, kind + " " + className + " has no description or a null options() map");
                return Optional.empty();
            }
            found = new ExtensionDescription(id.get(), text, settings);
        } catch (RuntimeException | Error e) {
            problem(source, kind + " " + className + " cannot describe itself: " + FailureText.of(e));
            return Optional.empty();
        }
        String name = found.id();
        if (name == null || !KEBAB.matcher(name).matches()) {
            problem(source, kind + " " + className + " has the id '" + name
                    + "'; an id is kebab-case (lower-case letters, digits and single hyphens)");
            return Optional.empty();
        }
        if (taken.containsKey(name)) {
            problem(source, kind + " id '" + name + "' of " + className + " is already taken by the "
                    + taken.get(name) + " " + kind + "; it was skipped");
            return Optional.empty();
        }
        return Optional.of(found);
    }
}
