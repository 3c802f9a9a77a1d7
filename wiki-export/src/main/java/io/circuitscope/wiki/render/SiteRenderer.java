package io.circuitscope.wiki.render;

import io.circuitscope.discovery.io.CircuitGraphFiles;
import io.circuitscope.discovery.io.CircuitJson;
import io.circuitscope.discovery.method.DiscoveryResult;
import io.circuitscope.wiki.CircuitReport;
import io.circuitscope.wiki.HeadTableCsv;
import io.circuitscope.wiki.ModelReport;
import io.circuitscope.wiki.TopPairsCsv;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns model reports into the site's files, by path relative to the site folder: {@code index.html}, and per model
 * {@code index.html}, {@code heads/L{l}H{h}.html}, {@code heads.csv}, {@code top-pairs.csv} and each task's
 * {@code circuit-<task>.json} (MIB) and {@code .dot}. Nothing is written here, so a failure leaves no file.
 */
final class SiteRenderer {
    private final Templates templates = new Templates();

    /** @param generated when the site was made, as the pages print it */
    Map<String, byte[]> render(List<ModelReport> reports, String generated) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<IndexPage.ModelRow> rows = new ArrayList<>();
        for (ModelReport r : reports) {
            String dir = r.slug() + "/";
            try {
                files.put(dir + "heads.csv", bytes(HeadTableCsv.render(r.shape().nLayers(), r.shape().nHeads(),
                        r.detectors())));
                files.put(dir + "top-pairs.csv", bytes(TopPairsCsv.render(r)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (CircuitReport c : r.circuits()) {
                if (c.result().isPresent()) {
                    DiscoveryResult d = c.result().get();
                    files.put(dir + c.fileStem() + ".json", CircuitJson.toJson(d,
                            CircuitJson.provenance(r.source(), r.settings().seed(), r.settings().version())));
                    files.put(dir + c.fileStem() + ".dot", bytes(CircuitGraphFiles.dot(d.graph(), d.circuit(),
                            d.scores())));
                }
            }
            ModelPage page = ModelPages.of(r);
            files.put(dir + "index.html", bytes(templates.render("model", page)));
            for (int l = 0; l < r.shape().nLayers(); l++) {
                for (int h = 0; h < r.shape().nHeads(); h++) {
                    files.put(dir + HeadPages.fileName(l, h), bytes(templates.render("head", HeadPages.of(r, l, h))));
                }
            }
            rows.add(new IndexPage.ModelRow(r.slug(), dir + "index.html", r.source(), r.architecture(),
                    r.shape().nLayers() * r.shape().nHeads(), page.labelCounts(), sizes(r), page.problems()));
        }
        String version = reports.isEmpty() ? "" : reports.get(0).settings().version();
        List<String> skipped = reports.isEmpty() ? List.of() : reports.get(0).settings().pluginsSkipped();
        files.put("index.html", bytes(templates.render("index", new IndexPage("circuitscope head wiki", version,
                generated, rows, skipped))));
        return files;
    }

    private static List<IndexPage.CircuitSize> sizes(ModelReport r) {
        List<IndexPage.CircuitSize> out = new ArrayList<>();
        for (CircuitReport c : r.circuits()) {
            out.add(new IndexPage.CircuitSize(c.task(), c.result().map(d -> String.format(Locale.ROOT,
                    "%d of %d edges, faithfulness %s", d.circuit().cardinality(), d.graph().edgeCount(),
                    Decimal.of(d.faithfulness(), 3))).orElse("none: " + c.problem().orElse(""))));
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
