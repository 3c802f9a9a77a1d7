package io.circuitscope.wiki.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.circuitscope.wiki.WikiFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wiki in a real headless Chromium, from {@code file://}: starting at the index, every page reachable by a link
 * loads with no console message, model pages show heatmaps and the circuit, every link and resource resolves, the
 * head table sorts when a header is clicked, and hostile tokens create no element. Screenshots go to
 * {@code target/wiki-screenshots} for review. CI installs Chromium and sets {@code CIRCUITSCOPE_REQUIRE_CHROMIUM},
 * which turns a missing browser into a failure instead of a skipped test.
 */
@Tag("slow")
class WikiBrowserTest {
    private static final Pattern LINK = Pattern.compile("(?:href|src)=\"([^\"#]*)(?:#[^\"]*)?\"");

    @TempDir
    static Path tmp;
    static Path site;
    static HeadlessChromium chromium;

    @BeforeAll
    static void writeSite() throws IOException {
        chromium = HeadlessChromium.find(tmp.resolve("profile")).orElse(null);
        if (chromium == null && System.getenv("CIRCUITSCOPE_REQUIRE_CHROMIUM") != null) {
            throw new IllegalStateException("CIRCUITSCOPE_REQUIRE_CHROMIUM is set but no chromium is on the PATH");
        }
        assumeTrue(chromium != null, "chromium is not installed (apt-get install chromium)");
        site = tmp.resolve("wiki");
        Path hostile = WikiFixtures.hostileModel(tmp.resolve("hostile-model"));
        HeadWikiWriter.write(site, List.of(WikiFixtures.report("zoo:toy-induction", "toy-induction", 1),
                WikiFixtures.report("zoo:toy-ioi", "toy-ioi", 1),
                WikiFixtures.report(hostile.toString(), "hostile", 3)), "2026-01-01T00:00:00Z");
    }

    @Test
    void everyReachablePageLoadsCleanlyAndItsLinksResolve() throws Exception {
        Deque<Path> queue = new ArrayDeque<>(List.of(site.resolve("index.html")));
        Set<Path> seen = new LinkedHashSet<>(queue);
        while (!queue.isEmpty()) {
            Path page = queue.poll();
            HeadlessChromium.Page p = chromium.load(page);
            assertEquals(List.of(), p.console(), site.relativize(page) + " logged to the console");
            assertTrue(p.dom().contains("</main>"), site.relativize(page) + " did not render");
            Matcher m = LINK.matcher(p.dom());
            while (m.find()) {
                if (m.group(1).isEmpty()) {
                    continue;
                }
                assertTrue(!m.group(1).contains(":"), site.relativize(page) + " loads from outside: " + m.group(1));
                Path target = page.getParent().resolve(m.group(1)).normalize();
                assertTrue(target.startsWith(site) && Files.isRegularFile(target),
                        site.relativize(page) + " links to missing " + m.group(1));
                if (target.toString().endsWith(".html") && seen.add(target)) {
                    queue.add(target);
                }
            }
        }
        long heads = seen.stream().filter(p -> p.getParent().getFileName().toString().equals("heads")).count();
        assertEquals(8 + 24 + 4, heads, "every head page is reachable from the index");
        assertEquals(1 + 3 + heads, seen.size());
    }

    @Test
    void modelPagesShowHeatmapsAndTheCircuit() throws Exception {
        for (String model : List.of("toy-induction", "toy-ioi")) {
            String dom = chromium.load(site.resolve(model).resolve("index.html")).dom();
            assertTrue(dom.contains("class=\"figure heatmap\""), model + " shows no heatmap");
            assertTrue(Occurrences.of(dom, "class=\"cell\"") >= 8, model + " heatmap has no cells");
            assertTrue(dom.contains("<svg class=\"circuit\""), model + " shows no circuit");
            assertTrue(Occurrences.of(dom, "class=\"edge\"") > 0, model + " circuit has no edges");
            assertTrue(dom.contains("class=\"curve\""), model + " shows no faithfulness curve");
        }
        String induction = chromium.load(site.resolve("toy-induction/index.html")).dom();
        assertTrue(induction.contains("a1.h0 \u00b7 induction"), "circuit nodes carry head labels");
    }

    @Test
    void clickingAColumnHeaderSortsTheHeadTable() throws Exception {
        String page = Files.readString(site.resolve("toy-induction/index.html"));
        // Click the induction column twice (descending), then record the first row's head in the DOM.
        String probe = "<script>var th=[].slice.call(document.querySelectorAll('#head-table thead th'))"
                + ".filter(function(t){return t.textContent.trim()==='induction';})[0];th.click();th.click();"
                + "document.body.setAttribute('data-first',"
                + "document.querySelector('#head-table tbody tr td').textContent);"
                + "document.body.setAttribute('data-sort',th.getAttribute('aria-sort'));</script></body>";
        Path copy = site.resolve("toy-induction/sort-check.html");
        Files.writeString(copy, page.replace("</body>", probe));
        String dom = chromium.load(copy).dom();
        Files.delete(copy);
        assertTrue(dom.contains("data-sort=\"descending\""), "the header shows its sort direction");
        Matcher first = Pattern.compile("data-first=\"(a\\d\\.h\\d)\"").matcher(dom);
        assertTrue(first.find(), "no sorted first row recorded");
        assertEquals("a1.h0", first.group(1), "the top induction head comes first");
    }

    @Test
    void hostileTokensCreateNoElementsAndShowAsText() throws Exception {
        List<Path> pages = new ArrayList<>(List.of(site.resolve("hostile/index.html"),
                site.resolve("hostile/heads/L1H1.html")));
        for (Path page : pages) {
            HeadlessChromium.Page p = chromium.load(page);
            assertEquals(List.of(), p.console(), "a hostile token ran: " + p.console());
            assertTrue(!p.dom().contains("<img"), "a hostile token became an img element");
        }
        String head = chromium.load(site.resolve("hostile/heads/L1H1.html")).dom();
        assertTrue(head.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the script token shows as text");
    }

    @Test
    void screenshotsForReview() throws Exception {
        Path dir = Path.of("target", "wiki-screenshots");
        chromium.screenshot(site.resolve("index.html"), dir.resolve("index.png"), 1280, 900);
        chromium.screenshot(site.resolve("toy-induction/index.html"), dir.resolve("toy-induction.png"), 1400, 3200);
        chromium.screenshot(site.resolve("toy-ioi/index.html"), dir.resolve("toy-ioi.png"), 1400, 5200);
        chromium.screenshot(site.resolve("toy-induction/heads/L1H0.html"), dir.resolve("toy-induction-L1H0.png"),
                1400, 3000);
        chromium.screenshot(site.resolve("toy-ioi/heads/L2H4.html"), dir.resolve("toy-ioi-L2H4.png"), 1400, 3000);
        chromium.screenshot(site.resolve("hostile/heads/L1H1.html"), dir.resolve("hostile-L1H1.png"), 1400, 2200);
        assertTrue(Files.size(dir.resolve("toy-ioi.png")) > 10_000);
    }
}
