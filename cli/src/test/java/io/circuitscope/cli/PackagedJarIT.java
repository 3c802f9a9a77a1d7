package io.circuitscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shaded {@code circuitscope.jar} as outside tools run it: {@code java -jar} in a separate JVM, from an empty
 * working directory, so nothing may come from the source tree or the test classpath. Failsafe runs this after
 * {@code package}.
 */
@Tag("slow")
class PackagedJarIT {
    private static final Pattern PREDICTION_ROW =
            Pattern.compile("^\\s*(\\d+)\\s+(\\d+)\\s+'(.*)'\\s+(-?[0-9.]+)\\s+([0-9.]+(?:e[-+]\\d+)?)\\s*$");

    /** A fresh, empty working directory for each test. */
    @TempDir
    Path workDir;

    /** Where the subprocess's stdout and stderr go, outside the working directory so it stays clean. */
    @TempDir
    Path logs;


    private CommandRun run(String... args) throws IOException, InterruptedException {
        return new PackagedJar(workDir, logs).run(args);
    }

    /** Nothing but the named files appears in the working directory. */
    private void assertWorkDirHoldsOnly(String... names) throws IOException {
        try (Stream<Path> files = Files.list(workDir)) {
            assertEquals(List.of(names), files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "files written to the working directory");
        }
    }

    @Test
    void helpListsTheCommands() throws Exception {
        CommandRun r = run("--help");
        assertEquals(0, r.code(), r.toString());
        for (String command : List.of("info", "logits", "predict", "detect", "discover", "wiki")) {
            assertTrue(r.out().contains(command), command + " missing from\n" + r);
        }
        assertWorkDirHoldsOnly();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "'info zoo:toy-induction', toy-induction, induction",
            "'info --model zoo:toy-ioi', toy-ioi, ioi"})
    void infoPrintsTheShippedModelCard(String commandLine, String name, String task) throws Exception {
        CommandRun r = run(commandLine.split(" "));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("zoo:" + name), r.toString());
        int at = r.out().indexOf("model card:");
        assertTrue(at >= 0, "no model card in\n" + r);
        JsonNode card = new ObjectMapper().readTree(r.out().substring(at + "model card:".length()));
        assertEquals(name, card.path("name").asText(), card.toPrettyString());
        assertEquals(task, card.path("task").asText(), card.toPrettyString());
        JsonNode metrics = card.path("metrics");
        assertTrue(metrics.isObject() && metrics.size() > 0, "no metrics in " + card.toPrettyString());
        metrics.fields().forEachRemaining(m -> assertTrue(m.getValue().isNumber(), m.toString()));
        assertWorkDirHoldsOnly();
    }

    @Test
    void predictRanksTheIndirectObjectFirst() throws Exception {
        CommandRun r = run("predict", "--model", "zoo:toy-ioi", "--text",
                "When Mary and John went to the store , John gave a drink to", "--top", "3");
        assertEquals(0, r.code(), r.toString());
        List<String[]> rows = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            Matcher m = PREDICTION_ROW.matcher(line);
            if (m.matches()) {
                rows.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(5)});
            }
        }
        assertEquals(3, rows.size(), "expected 3 ranked rows in\n" + r);
        assertEquals("1", rows.get(0)[0], r.toString());
        assertTrue(rows.get(0)[2].equals("Mary") || rows.get(0)[2].equals(" Mary"), "rank 1 is not Mary:\n" + r);
        double previous = 1.0;
        for (String[] row : rows) {
            double p = Double.parseDouble(row[3]);
            assertTrue(p >= 0 && p <= previous, "probabilities must be non-increasing:\n" + r);
            previous = p;
        }
        assertWorkDirHoldsOnly();
    }

    @Test
    void logitsWritesAFloat32NpyIntoTheWorkingDirectory() throws Exception {
        CommandRun r = run("logits", "--model", "zoo:toy-induction", "--tokens", "0,5,6,7,5,6", "--out", "F.npy");
        assertEquals(0, r.code(), r.toString());
        assertWorkDirHoldsOnly("F.npy");
        byte[] bytes = Files.readAllBytes(workDir.resolve("F.npy"));
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0},
                java.util.Arrays.copyOf(bytes, 8), "npy magic and version 1.0");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Short.toUnsignedInt(buf.getShort(8));
        assertEquals(0, (10 + headerLength) % 64, "header is padded to 64 bytes");
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        assertTrue(header.endsWith("\n"), header);
        assertTrue(header.contains("'descr': '<f4'"), header);
        assertTrue(header.contains("'fortran_order': False"), header);
        assertTrue(header.contains("'shape': (6, 512)"), header);
        int n = 6 * 512;
        assertEquals(10 + headerLength + 4L * n, bytes.length, "data is exactly 6 x 512 float32");
        buf.position(10 + headerLength);
        float[] logits = new float[n];
        buf.asFloatBuffer().get(logits);
        boolean varies = false;
        for (float v : logits) {
            assertTrue(Float.isFinite(v), "non-finite logit");
            varies |= v != logits[0];
        }
        assertTrue(varies, "all logits equal");
        // Token 5 recurs at position 4, so the trained induction model predicts what followed it before: 6.
        int best = 0;
        for (int v = 1; v < 512; v++) {
            if (logits[4 * 512 + v] > logits[4 * 512 + best]) {
                best = v;
            }
        }
        assertEquals(6, best, "after the repeated 5, induction predicts 6");
    }

    /** The README's main command: the templates and both zoo models come from the jar alone. */
    @Test
    void wikiWritesBothZooModelsFromTheJarAlone() throws Exception {
        CommandRun r = run("wiki", "--model", "zoo:toy-induction", "--model", "zoo:toy-ioi", "--out", "wiki");
        assertEquals(0, r.code(), r.toString());
        assertWorkDirHoldsOnly("wiki");
        String model = Files.readString(workDir.resolve("wiki/toy-induction/index.html"));
        assertTrue(model.contains("class=\"figure heatmap\"") && model.contains("<svg class=\"circuit\""), model);
        assertTrue(model.contains("a1.h0 \u00b7 induction"), "circuit nodes carry head labels");
        assertTrue(Files.readString(workDir.resolve("wiki/toy-ioi/heads.csv")).startsWith("layer,head,"));
        assertTrue(Files.isRegularFile(workDir.resolve("wiki/toy-ioi/heads/L2H4.html")));
    }

    @Test
    void anUnknownZooModelIsOneErrorLineNamingTheAvailableOnes() throws Exception {
        CommandRun r = run("info", "zoo:nope");
        assertEquals(1, r.code(), r.toString());
        List<String> lines = r.errLines();
        assertEquals(1, lines.size(), "expected exactly one stderr line:\n" + r);
        String line = lines.get(0);
        assertTrue(line.startsWith("error:"), line);
        assertTrue(line.contains("zoo:nope"), line);
        assertTrue(line.contains("zoo:toy-induction") && line.contains("zoo:toy-ioi"), line);
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "stack trace:\n" + r);
        assertEquals("", r.out(), r.toString());
        assertWorkDirHoldsOnly();
    }
}
