package io.circuitscope.wiki.render;

import io.circuitscope.core.analysis.CompositionScores;
import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.discovery.graph.GraphEdge;
import io.circuitscope.discovery.graph.GraphNode;
import io.circuitscope.discovery.method.DiscoveryResult;
import io.circuitscope.spi.AttendedPair;
import io.circuitscope.spi.HeadEvidence;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.wiki.AttentionProbe;
import io.circuitscope.wiki.CircuitReport;
import io.circuitscope.wiki.ModelReport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Builds the page of each head: its scores, attention on the probes, OV copying, composition and circuit edges. */
final class HeadPages {
    /** Composition partners listed per mode. */
    static final int PARTNERS = 5;
    /** Attended pairs listed per detector. */
    static final int PAIRS = 8;

    private HeadPages() {
    }

    /** The page's path relative to the model page. */
    static String fileName(int layer, int head) {
        return "heads/" + pageName(layer, head);
    }

    /** The page's name, which is also its path from another head's page. */
    static String pageName(int layer, int head) {
        return "L" + layer + "H" + head + ".html";
    }

    static HeadPage of(ModelReport r, int l, int h) {
        int heads = r.shape().nHeads();
        int index = l * heads + h;
        int total = r.shape().nLayers() * heads;
        String prev = index > 0 ? pageName((index - 1) / heads, (index - 1) % heads) : null;
        String next = index + 1 < total ? pageName((index + 1) / heads, (index + 1) % heads) : null;
        List<HeadPage.ScoreRow> scores = new ArrayList<>();
        List<HeadPage.PairTable> pairs = new ArrayList<>();
        List<HeadPage.Component> copying = new ArrayList<>();
        // The IOI detectors share their measurements; each is listed once, under the first detector that has it.
        Set<String> shown = new HashSet<>();
        for (DetectorOutcome o : r.scored()) {
            HeadScores s = o.scores().orElseThrow();
            HeadEvidence e = s.evidence(l, h);
            List<HeadPage.Component> components = new ArrayList<>();
            for (Map.Entry<String, Double> c : e.components().entrySet()) {
                if (!shown.add(c.getKey() + "=" + c.getValue())) {
                    continue;
                }
                components.add(new HeadPage.Component(o.id(), c.getKey(), Decimal.of(c.getValue(), 4)));
                if (c.getKey().startsWith("ov_copy")) {
                    copying.add(new HeadPage.Component(o.id(), c.getKey(), Decimal.of(c.getValue(), 4)));
                }
            }
            e.notes().forEach((k, v) -> components.add(new HeadPage.Component(o.id(), k, v)));
            scores.add(new HeadPage.ScoreRow(o.id(), Decimal.of(s.score(l, h), 4), Decimal.of(s.control(l, h), 4),
                    Decimal.of(percentile(s, l, h), 0), s.labelled(l, h), components));
            if (!e.topPairs().isEmpty()) {
                List<HeadPage.Pair> list = e.topPairs().stream().limit(PAIRS).map((AttendedPair p) ->
                        new HeadPage.Pair(r.tokens().label(p.queryToken()), r.tokens().label(p.keyToken()),
                                Decimal.of(p.weight(), 3), p.occurrences())).toList();
                pairs.add(new HeadPage.PairTable(o.id(), list));
            }
        }
        List<PatternThumbnail> patterns = new ArrayList<>();
        for (AttentionProbe p : r.probes()) {
            patterns.add(PatternThumbnail.of(p, l, h));
        }
        List<HeadPage.CircuitEdges> circuits = new ArrayList<>();
        for (CircuitReport c : r.circuits()) {
            circuits.add(edges(c, l, h));
        }
        return new HeadPage("a" + l + ".h" + h + " \u00b7 " + r.slug(), r.slug(), r.source(), "a" + l + ".h" + h,
                r.labels(l, h), prev, next, scores, patterns, pairs, copying, partners(r.composition(), l, h),
                circuits, r.settings().version());
    }

    /** The share of heads (in percent) whose score is at most this head's. */
    static double percentile(HeadScores s, int l, int h) {
        double v = s.score(l, h);
        int atMost = 0;
        int n = 0;
        for (int a = 0; a < s.layers(); a++) {
            for (int b = 0; b < s.heads(); b++) {
                atMost += s.score(a, b) <= v ? 1 : 0;
                n++;
            }
        }
        return 100.0 * atMost / n;
    }

    private static List<HeadPage.PartnerTable> partners(CompositionScores c, int l, int h) {
        List<HeadPage.PartnerTable> out = new ArrayList<>();
        for (CompositionScores.Mode mode : CompositionScores.Mode.values()) {
            double base = c.baseline(mode);
            List<HeadPage.Partner> list = new ArrayList<>();
            for (CompositionScores.Pair p : c.strongestPartners(mode, l, h, PARTNERS)) {
                boolean reads = p.toLayer() == l && p.toHead() == h;
                int ol = reads ? p.fromLayer() : p.toLayer();
                int oh = reads ? p.fromHead() : p.toHead();
                list.add(new HeadPage.Partner(reads ? "reads from" : "is read by", "a" + ol + ".h" + oh,
                        pageName(ol, oh), Decimal.of(p.score(), 3),
                        base > 0 ? Decimal.of(p.score() / base, 1) + "\u00d7" : "\u2013"));
            }
            out.add(new HeadPage.PartnerTable(mode.name(), Decimal.of(base, 3), list));
        }
        return out;
    }

    private static HeadPage.CircuitEdges edges(CircuitReport c, int l, int h) {
        if (c.result().isEmpty()) {
            return new HeadPage.CircuitEdges(c.task(), "no circuit: " + c.problem().orElse(""), List.of());
        }
        DiscoveryResult d = c.result().get();
        GraphNode me = GraphNode.head(l, h);
        List<HeadPage.EdgeRow> rows = new ArrayList<>();
        for (int e = d.circuit().nextSetBit(0); e >= 0; e = d.circuit().nextSetBit(e + 1)) {
            GraphEdge g = d.graph().edges().get(e);
            if (g.child().equals(me) || g.parent().equals(me)) {
                rows.add(new HeadPage.EdgeRow(g.name(), Decimal.of(d.scores()[e], 4),
                        g.child().equals(me) ? "into its " + g.input().name().toLowerCase(Locale.ROOT)
                                + " input" : "out of it"));
            }
        }
        String status = rows.isEmpty() ? "not in the " + c.task() + " circuit"
                : rows.size() + " of the circuit's " + d.circuit().cardinality() + " edges";
        return new HeadPage.CircuitEdges(c.task(), status, rows);
    }
}
