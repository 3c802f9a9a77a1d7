package io.circuitscope.wiki.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.wiki.AttentionProbe;
import io.circuitscope.wiki.ModelReport;
import io.circuitscope.wiki.WikiFixtures;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model whose tokens are markup and spreadsheet formulas gives pages that show them as text and inert CSV. */
class HostileVocabularyTest {
    @TempDir
    static Path tmp;
    static ModelReport report;
    Path site;

    @BeforeAll
    static void analyse() {
        Path model = WikiFixtures.hostileModel(tmp.resolve("hostile"));
        report = WikiFixtures.report(model.toString(), "hostile", 3);
    }

    /** Rendered for each test, so that each test covers the rendering it checks. */
    @BeforeEach
    void writeSite() throws IOException {
        site = Files.createTempDirectory(tmp, "site").resolve("wiki");
        HeadWikiWriter.write(site, List.of(report), "now");
    }

    private List<Path> pages() throws IOException {
        try (Stream<Path> s = Files.walk(site)) {
            return s.filter(p -> p.toString().endsWith(".html")).toList();
        }
    }

    @Test
    void tokensAppearEscapedAndNeverAsMarkup() throws IOException {
        boolean scriptShown = false;
        boolean imgShown = false;
        for (Path p : pages()) {
            String html = Files.readString(p);
            assertFalse(html.contains("<script>alert"), p + " holds a live script tag");
            assertFalse(html.contains("<img"), p + " holds a live img tag");
            assertFalse(html.contains("onerror=alert"), p + " holds an unescaped attribute");
            // The only script on any page is the table sorter the template itself holds.
            assertEquals(html.split("<script", -1).length - 1,
                    html.split("<script>\n// Sorts a table", -1).length - 1, p.toString());
            scriptShown |= html.contains("&lt;script&gt;alert(1)&lt;/script&gt;");
            imgShown |= html.contains("&quot;&gt;&lt;img/src&#61;x/onerror&#61;alert(1)&gt;");
        }
        assertTrue(scriptShown, "the script token is shown as text somewhere");
        assertTrue(imgShown, "the img token is shown as text somewhere");
    }

    @Test
    void aTokenWithSpacesAndQuotesStaysInsideItsAttributeAndText() {
        String token = "\"><img src=x onerror=alert(1)>";
        AttentionProbe probe = new AttentionProbe("probe", "a token with spaces", List.of(token, token),
                new float[][][][] {{{{1, 0}, {0.5f, 0.5f}}}});
        String svg = new Templates().render("pattern", PatternThumbnail.of(probe, 0, 0));
        assertFalse(svg.contains("<img"));
        assertTrue(svg.contains("<title>&quot;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;</title>"), svg);
    }

    @Test
    void csvCellsWithTokenTextCannotRunAsFormulas() throws IOException {
        int tokenCells = 0;
        boolean formulaSeen = false;
        try (Reader in = Files.newBufferedReader(site.resolve("hostile/top-pairs.csv"));
             CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
            for (CSVRecord r : csv) {
                for (String column : List.of("query_token", "key_token")) {
                    String cell = r.get(column);
                    tokenCells++;
                    assertFalse(cell.isEmpty() || "=+-@\t\r".indexOf(cell.charAt(0)) >= 0, cell);
                    formulaSeen |= cell.startsWith("'=HYPERLINK(");
                }
            }
        }
        assertTrue(tokenCells > 0, "the detectors recorded attended pairs");
        assertTrue(formulaSeen, "the formula token is kept, as text");
    }
}
