package io.circuitscope.wiki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteDirectoryTest {
    @TempDir
    Path tmp;

    private static Map<String, byte[]> site(String text) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("index.html", text.getBytes(StandardCharsets.UTF_8));
        files.put("m/heads/L0H0.html", "head".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    @Test
    void writesANewSiteWithItsMarkerAndNothingBeside() throws IOException {
        Path out = tmp.resolve("wiki");
        SiteDirectory.write(out, site("one"));
        assertEquals("one", Files.readString(out.resolve("index.html")));
        assertEquals("head", Files.readString(out.resolve("m/heads/L0H0.html")));
        assertTrue(Files.isRegularFile(out.resolve(SiteDirectory.MARKER)));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "no staging or backup folder is left behind");
        }
    }

    @Test
    void replacesAnEarlierWikiWholeSoStaleFilesGo() throws IOException {
        Path out = tmp.resolve("wiki");
        SiteDirectory.write(out, site("one"));
        Files.writeString(out.resolve("stale.html"), "old");
        SiteDirectory.write(out, Map.of("index.html", "two".getBytes(StandardCharsets.UTF_8)));
        assertEquals("two", Files.readString(out.resolve("index.html")));
        assertFalse(Files.exists(out.resolve("stale.html")));
        assertFalse(Files.exists(out.resolve("m")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void writesIntoAnEmptyFolderAndCreatesMissingParents() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertNull(SiteDirectory.refusal(empty));
        SiteDirectory.write(empty, site("x"));
        assertTrue(Files.exists(empty.resolve("index.html")));
        Path deep = tmp.resolve("a/b/wiki");
        SiteDirectory.write(deep, site("y"));
        assertEquals("y", Files.readString(deep.resolve("index.html")));
    }

    @Test
    void refusesAFolderOfSomeoneElsesFilesAndLeavesItAlone() throws IOException {
        Path mine = Files.createDirectory(tmp.resolve("home"));
        Files.writeString(mine.resolve("thesis.tex"), "precious");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SiteDirectory.write(mine, site("x")));
        assertTrue(e.getMessage().contains("not a circuitscope wiki"), e.getMessage());
        assertEquals("precious", Files.readString(mine.resolve("thesis.tex")));
        Path file = Files.writeString(tmp.resolve("file.txt"), "f");
        assertTrue(SiteDirectory.refusal(file).contains("is not a directory"));
    }

    @Test
    void aFailedWriteKeepsThePreviousWiki() throws IOException {
        Path out = tmp.resolve("wiki");
        SiteDirectory.write(out, site("one"));
        Map<String, byte[]> bad = new LinkedHashMap<>(site("two"));
        bad.put("../escape.html", new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> SiteDirectory.write(out, bad));
        assertThrows(IllegalArgumentException.class, () -> SiteDirectory.write(out, Map.of(".", new byte[0])),
                "the site folder itself is not a file");
        assertEquals("one", Files.readString(out.resolve("index.html")));
        assertFalse(Files.exists(tmp.resolve("escape.html")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count(), "the staging folder is removed");
        }
    }
}
