package io.circuitscope.wiki.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.discovery.io.CircuitJson;
import io.circuitscope.wiki.ModelReport;
import io.circuitscope.wiki.WikiFixtures;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The site written for zoo:toy-induction and zoo:toy-ioi: its files, what the pages show, and its links. */
class HeadWikiWriterTest {
    @TempDir
    static Path tmp;
    static ModelReport induction;
    static ModelReport ioi;
    Path site;

    /** The analysis is slow, so it runs once; the site is rendered for each test, so each test covers rendering. */
    @BeforeAll
    static void analyse() {
        induction = WikiFixtures.report("zoo:toy-induction", "toy-induction", 1);
        ioi = WikiFixtures.report("zoo:toy-ioi", "toy-ioi", 1);
    }

    @BeforeEach
    void writeSite() throws IOException {
        site = Files.createTempDirectory(tmp, "site").resolve("wiki");
        HeadWikiWriter.write(site, List.of(induction, ioi), "2026-01-01T00:00:00Z");
    }

    @Test
    void everyModelHasItsPagesTablesAndCircuitFiles() {
        for (String f : List.of("index.html", "toy-induction/index.html", "toy-induction/heads.csv",
                "toy-induction/top-pairs.csv", "toy-induction/circuit-induction.json",
                "toy-induction/circuit-induction.dot", "toy-ioi/index.html", "toy-ioi/circuit-ioi.json",
                "toy-ioi/circuit-ioi.dot", "toy-ioi/heads/L2H7.html", "toy-induction/heads/L1H3.html")) {
            assertTrue(Files.isRegularFile(site.resolve(f)), f);
        }
        assertFalse(Files.exists(site.resolve("toy-induction/heads/L2H0.html")), "toy-induction has two layers");
    }

    @Test
    void headsCsvLoadsWithAStandardParserAndHoldsTheLabels() throws IOException {
        try (Reader in = Files.newBufferedReader(site.resolve("toy-induction/heads.csv"));
             CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
            assertEquals(List.of("layer", "head", "previous-token", "duplicate-token", "induction", "labels"),
                    csv.getHeaderNames());
            List<CSVRecord> rows = csv.getRecords();
            assertEquals(8, rows.size());
            long inductionHeads = rows.stream().filter(r -> r.get("labels").contains("induction")).count();
            assertEquals(4, inductionHeads);
            for (CSVRecord r : rows) {
                Double.parseDouble(r.get("induction"));
                assertEquals(r.get("labels").contains("induction"), r.get("layer").equals("1"));
            }
        }
    }

    @Test
    void circuitJsonIsMibAndMatchesTheReport() {
        CircuitJson.Circuit c = CircuitJson.read(site.resolve("toy-induction/circuit-induction.json"));
        assertEquals(81, c.graph().edgeCount());
        assertEquals(induction.circuits().get(0).result().orElseThrow().circuit(), c.inGraph());
    }

    @Test
    void modelPageShowsHeatmapsTheSortableTableTheLabelledCircuitAndProvenance() throws IOException {
        String page = Files.readString(site.resolve("toy-induction/index.html"));
        for (String id : List.of("previous-token", "duplicate-token", "induction")) {
            assertTrue(page.contains("id=\"heatmap-" + id + "\""), id);
        }
        assertTrue(page.contains("class=\"sortable\" id=\"head-table\""));
        assertEquals(8, Occurrences.of(page, "<tr><td data-v=\"a"));
        assertTrue(page.contains("<svg class=\"circuit\""));
        // Circuit nodes carry the head classes the detectors gave them.
        assertTrue(page.contains(">a1.h0 \u00b7 induction</text>"), "induction head named in the circuit");
        assertTrue(page.contains(">a0.h1 \u00b7 previous-token</text>"), "previous-token head named in the circuit");
        assertTrue(page.contains("class=\"curve\""));
        assertTrue(page.contains("CPR "));
        assertTrue(page.contains("<dt>seed</dt><dd>1</dd>"));
        assertTrue(page.contains("none found"), "duplicate-token labels no head, and the page says so");
        assertTrue(page.contains("name-mover, negative-name-mover, s-inhibition, backup-name-mover: skipped: "),
                "detectors the model cannot serve are noted, once per reason");
    }

    @Test
    void headPageShowsScoresPatternsCopyingPartnersAndCircuitEdges() throws IOException {
        String page = Files.readString(site.resolve("toy-induction/heads/L1H0.html"));
        assertTrue(page.contains("<span class=\"chip\">induction</span>"));
        assertTrue(page.contains("aria-label=\"attention pattern on Repeated random tokens\""));
        assertTrue(page.contains("<code>ov_copy_z</code>"));
        assertTrue(page.contains("K-composition"));
        assertTrue(page.contains("<code>a0.h1-&gt;a1.h0&lt;k&gt;</code>"), "its K edge from the previous-token head");
        // The previous-token head is this induction head's strongest K-composition partner.
        Matcher k = Pattern.compile("K-composition.*?<td>reads from</td><td><a href=\"([^\"]+)\">", Pattern.DOTALL)
                .matcher(page);
        assertTrue(k.find());
        assertEquals("L0H1.html", k.group(1));
        assertTrue(page.contains("<td class=\"num\">100</td>"), "the top induction score is the 100th percentile");
        String ioiHead = Files.readString(site.resolve("toy-ioi/heads/L2H4.html"));
        assertEquals(1, Occurrences.of(ioiHead, "<code>attn_end_to_s2</code> 0.99"),
                "measurements the IOI detectors share are listed once");
        assertEquals(2, Occurrences.of(ioiHead, "<code>ov_copy_z_names</code>"),
                "once with the scores, once under OV copying");
    }

    @Test
    void everyRelativeLinkResolvesToAFileOfTheSite() throws IOException {
        Pattern href = Pattern.compile("href=\"([^\"#]+)\"");
        try (var files = Files.walk(site)) {
            for (Path page : files.filter(p -> p.toString().endsWith(".html")).toList()) {
                Matcher m = href.matcher(Files.readString(page));
                while (m.find()) {
                    Path target = page.getParent().resolve(m.group(1)).normalize();
                    assertTrue(target.startsWith(site) && Files.isRegularFile(target),
                            site.relativize(page) + " links to missing " + m.group(1));
                }
            }
        }
    }

    @Test
    void theSameSeedGivesByteIdenticalCsvAndJson() throws IOException {
        Path again = tmp.resolve("again");
        HeadWikiWriter.write(again, List.of(WikiFixtures.report("zoo:toy-induction", "toy-induction", 1)),
                "later");
        for (String f : List.of("heads.csv", "top-pairs.csv", "circuit-induction.json", "circuit-induction.dot")) {
            assertArrayEquals(Files.readAllBytes(site.resolve("toy-induction").resolve(f)),
                    Files.readAllBytes(again.resolve("toy-induction").resolve(f)), f);
        }
    }
}
