package io.circuitscope.wiki.render;

import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.discovery.graph.GraphNode;
import io.circuitscope.discovery.method.DiscoveryResult;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.wiki.AttentionProbe;
import io.circuitscope.wiki.CircuitReport;
import io.circuitscope.wiki.ModelReport;
import io.circuitscope.wiki.WikiSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds a model's page: heatmaps, the head table, circuits with their curves, and provenance. */
final class ModelPages {
    private ModelPages() {
    }

    static ModelPage of(ModelReport r) {
        List<ModelPage.Count> counts = counts(r);
        // Detectors that fail for the same reason (say, four IOI detectors on a model with no names) share a line.
        Map<String, List<String>> byProblem = new LinkedHashMap<>();
        for (DetectorOutcome o : r.detectors()) {
            o.problem().ifPresent(p -> byProblem.computeIfAbsent(p, k -> new ArrayList<>()).add(o.id()));
        }
        List<String> problems = new ArrayList<>();
        byProblem.forEach((p, ids) -> problems.add(String.join(", ", ids) + ": " + p));
        List<Heatmap> heatmaps = r.scored().stream()
                .map(o -> Heatmap.of(o.id(), o.description(), o.scores().orElseThrow())).toList();
        List<String> ids = r.scored().stream().map(DetectorOutcome::id).toList();
        List<ModelPage.Row> rows = new ArrayList<>();
        for (int l = 0; l < r.shape().nLayers(); l++) {
            for (int h = 0; h < r.shape().nHeads(); h++) {
                List<ModelPage.ScoreCell> cells = new ArrayList<>();
                for (DetectorOutcome o : r.scored()) {
                    HeadScores s = o.scores().orElseThrow();
                    cells.add(new ModelPage.ScoreCell(Decimal.of(s.score(l, h), 3), Decimal.sortKey(s.score(l, h)),
                            s.labelled(l, h)));
                }
                rows.add(new ModelPage.Row("a" + l + ".h" + h, HeadPages.fileName(l, h), l, h, cells,
                        String.join(", ", r.labels(l, h)), inCircuits(r, l, h)));
            }
        }
        List<ModelPage.CircuitSection> circuits = r.circuits().stream().map(c -> section(r, c)).toList();
        List<ModelPage.Setting> provenance = new ArrayList<>(List.of(
                new ModelPage.Setting("model", r.source()),
                new ModelPage.Setting("circuitscope", r.settings().version()),
                new ModelPage.Setting("seed", Long.toString(r.settings().seed())),
                new ModelPage.Setting("discovery", discovery(r))));
        for (AttentionProbe p : r.probes()) {
            provenance.add(new ModelPage.Setting("probe: " + p.title(), String.join(" | ", p.tokens())));
        }
        List<ModelPage.Setting> timings = new ArrayList<>();
        for (DetectorOutcome o : r.detectors()) {
            timings.add(new ModelPage.Setting("detector " + o.id(), Decimal.of(o.seconds(), 2) + " s"));
        }
        r.timings().forEach((k, v) -> timings.add(new ModelPage.Setting(k, Decimal.of(v, 2) + " s")));
        List<ModelPage.DetectorSettings> detectorSettings = new ArrayList<>();
        for (DetectorOutcome o : r.scored()) {
            List<ModelPage.Setting> list = new ArrayList<>();
            list.add(new ModelPage.Setting("origin", r.settings().originOf(o.id())));
            for (Map.Entry<String, String> e : o.scores().orElseThrow().settings().entrySet()) {
                list.add(new ModelPage.Setting(e.getKey(), e.getValue()));
            }
            detectorSettings.add(new ModelPage.DetectorSettings(o.id(), list));
        }
        return new ModelPage(r.slug(), r.slug(), r.source(), r.architecture(), counts, problems, heatmaps, ids, rows,
                circuits, provenance, timings, detectorSettings, r.settings().version());
    }

    /** The discovery settings in words: the methods that ran, how they were chosen, and the examples per task. */
    private static String discovery(ModelReport r) {
        List<String> methods = r.circuits().stream().flatMap(c -> c.result().stream())
                .map(d -> d.settings().method().id()).distinct().toList();
        String how = r.settings().method().isPresent() ? "chosen with --method"
                : "automatic: acdc up to " + WikiSettings.ACDC_EDGE_LIMIT + " edges, eap+acdc above";
        return "method " + (methods.isEmpty() ? "none" : String.join(", ", methods)) + " (" + how + "), "
                + r.settings().examples() + " examples per task, resample ablation";
    }

    /** How many heads each detector labelled, with the labelled heads named (or "none found"). */
    static List<ModelPage.Count> counts(ModelReport r) {
        List<ModelPage.Count> counts = new ArrayList<>();
        for (DetectorOutcome o : r.scored()) {
            HeadScores s = o.scores().orElseThrow();
            List<String> names = new ArrayList<>();
            for (int l = 0; l < s.layers(); l++) {
                for (int h = 0; h < s.heads(); h++) {
                    if (s.labelled(l, h)) {
                        names.add("a" + l + ".h" + h);
                    }
                }
            }
            counts.add(new ModelPage.Count(o.id(), names.size(), names.isEmpty() ? "none found"
                    : String.join(", ", names), r.settings().originOf(o.id())));
        }
        return counts;
    }

    private static String inCircuits(ModelReport r, int l, int h) {
        List<String> tasks = new ArrayList<>();
        for (CircuitReport c : r.circuits()) {
            c.result().filter(d -> d.graph().nodesOf(d.circuit()).contains(GraphNode.head(l, h)))
                    .ifPresent(d -> tasks.add(c.task()));
        }
        return String.join(", ", tasks);
    }

    private static ModelPage.CircuitSection section(ModelReport r, CircuitReport c) {
        if (c.result().isEmpty()) {
            return new ModelPage.CircuitSection(c.task(), c.description(), c.problem().orElse("no circuit"), null,
                    null, null, null, null, null, c.prompts());
        }
        DiscoveryResult d = c.result().get();
        CircuitDrawing drawing = CircuitDrawing.of(d.graph(), d.circuit(), d.scores(), n ->
                n.kind() == GraphNode.Kind.HEAD ? String.join(", ", r.labels(n.layer(), n.head())) : "");
        int kept = d.circuit().cardinality();
        String summary = String.format(Locale.ROOT, "%d of %d edges (%s%%), %d nodes; faithfulness %s (metric "
                        + "full %s, empty %s, circuit %s)", kept, d.graph().edgeCount(),
                Decimal.of(100.0 * kept / d.graph().edgeCount(), 1), d.graph().nodesOf(d.circuit()).size(),
                Decimal.of(d.faithfulness(), 3), Decimal.of(d.metricFull(), 3), Decimal.of(d.metricEmpty(), 3),
                Decimal.of(d.metricCircuit(), 3));
        String method = String.format(Locale.ROOT, "%s, metric %s (minimised), %s ablation, %d examples%s",
                d.settings().method().id(), d.settings().metric().id(), d.settings().ablation().id(), d.examples(),
                Double.isNaN(d.threshold()) ? "" : ", threshold " + Decimal.of(d.threshold(), 5));
        return new ModelPage.CircuitSection(c.task(), c.description(), null, drawing,
                CurveChart.of(d.curve(), kept, d.graph().edgeCount(), d.faithfulness()), summary, method,
                c.fileStem() + ".json", c.fileStem() + ".dot", c.prompts());
    }
}
