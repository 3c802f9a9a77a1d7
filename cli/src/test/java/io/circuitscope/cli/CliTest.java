package io.circuitscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.circuitscope.core.checkpoint.NativeCheckpoint;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.tokenizer.WordLevelTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The {@code circuitscope} command line as a user sees it: exit codes, stdout, stderr and files. */
class CliTest {
    /** Surefire runs with the module directory as the working directory. */
    private static final Path FIXTURES = Path.of("..", "core", "src", "test", "resources", "hf-gpt2");
    private static final Path HF = FIXTURES.resolve("prefixed-tied");
    private static final List<String> WORDS = List.of("<bos>", "the", "cat", "dog", "sat", "ran", "on", "mat",
            "rug", "a", "big", "small", ".", "and", "then", "slept");

    @TempDir
    Path tmp;


    static CommandRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CircuitscopeLauncher.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CommandRun(code, out.toString(), err.toString());
    }

    static Stream<String> subcommands() {
        return new CommandLine(new CircuitscopeCommand()).getSubcommands().keySet().stream();
    }

    @Test
    void theDocumentedSubcommandsExist() {
        Set<String> names = subcommands().collect(Collectors.toSet());
        assertTrue(names.containsAll(List.of("info", "logits", "predict", "bench")), names.toString());
    }

    @ParameterizedTest
    @MethodSource("subcommands")
    void everySubcommandHasHelp(String name) {
        CommandRun r = run(name, "--help");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("Usage:") && r.out().contains("circuitscope " + name), r::toString);
        assertTrue(r.out().contains("--help"), r::toString);
        assertEquals("", r.err(), r::toString);
    }

    @Test
    void topLevelHelpListsTheSubcommands() {
        CommandRun r = run("--help");
        assertEquals(0, r.code(), r::toString);
        subcommands().forEach(name -> assertTrue(r.out().contains(name), name + " missing from\n" + r.out()));
    }

    @Test
    void infoDescribesAnHfModel() {
        CommandRun r = run("info", "--model", HF.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
        assertLine(r.out(), "layers\\s+2");
        assertLine(r.out(), "d_model\\s+32");
        assertLine(r.out(), "heads\\s+4 x d_head 8");
        assertLine(r.out(), "vocabulary\\s+101");
        assertLine(r.out(), "context\\s+16");
        // TransformerLens layout: W_E 3232 + W_pos 512 + 2 x 12704 per block + ln_final 64 + W_U 3232 + b_U 101.
        Matcher params = Pattern.compile("(?m)^parameters\\s+(\\S+)\\s*$").matcher(r.out());
        assertTrue(params.find(), r::toString);
        assertEquals("32549", params.group(1).replaceAll("\\D", ""), r::toString);
        assertLine(r.out(), "tokenizer\\s+none.*");
        assertLine(r.out(), "bos token id\\s+100");
    }

    @Test
    void infoTakesTheModelAsAPositional() {
        CommandRun positional = run("info", HF.toString());
        assertEquals(0, positional.code(), positional::toString);
        assertEquals(run("info", "--model", HF.toString()).out(), positional.out());
    }

    @Test
    void infoDescribesANativeModelWithItsTokenizer() {
        Path dir = nativeModel();
        CommandRun r = run("info", dir.toString());
        assertEquals(0, r.code(), r::toString);
        assertLine(r.out(), "tokenizer\\s+word-level.*16 tokens.*");
        assertLine(r.out(), "mlp\\s+d_mlp 32, gelu_new");
        assertLine(r.out(), "bos token id\\s+0");
    }

    @Test
    void logitsWritesTheReferenceLogitsAsNpy() throws IOException {
        for (String fixture : List.of("prefixed-tied", "plain-untied", "plain-tied-f16", "prefixed-untied-bf16")) {
            Path dir = FIXTURES.resolve(fixture);
            int[] tokens = referenceTokens(dir);
            Path out = tmp.resolve(fixture + ".npy");
            CommandRun r = run("logits", "--model", dir.toString(), "--tokens",
                    IntStream.of(tokens).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                    "--out", out.toString());
            assertEquals(0, r.code(), r::toString);
            assertTrue(r.out().contains(out.toString()), r::toString);
            Npy actual = Npy.read(out);
            Npy expected = Npy.read(dir.resolve("expected_logits.npy"));
            assertArrayEquals(new int[] {tokens.length, 101}, actual.shape());
            assertArrayEquals(expected.shape(), actual.shape());
            double max = 0;
            for (int i = 0; i < actual.data().length; i++) {
                double d = Math.abs(actual.data()[i] - expected.data()[i]);
                max = Double.isNaN(d) ? Double.NaN : Math.max(max, d);
            }
            assertTrue(max <= 1e-3, fixture + ": max |diff| " + max);
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(4, files.count(), "no temp files are left beside the outputs");
        }
    }

    // ---- failures: exit 1, one "error:" line, nothing written ----

    @Test
    void missingModelDirectory() {
        Path missing = tmp.resolve("no-such-model");
        Path out = tmp.resolve("F.npy");
        CommandRun r = run("logits", "--model", missing.toString(), "--tokens", "1,2", "--out", out.toString());
        String msg = assertFailure(r);
        assertTrue(msg.contains(missing.toString()), msg);
        assertTrue(msg.contains("no such directory"), msg);
        assertFalse(Files.exists(out));
    }

    @Test
    void tokenIdOutOfRangeWritesNothing() throws IOException {
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        Path out = outDir.resolve("F.npy");
        CommandRun r = run("logits", "--model", HF.toString(), "--tokens", "100,5,101", "--out", out.toString());
        String msg = assertFailure(r);
        assertTrue(msg.contains("101") && msg.contains("out of range"), msg);
        assertTrue(msg.contains("0..100"), "says the valid range: " + msg);
        assertEquals(List.of(), listing(outDir), "neither F.npy nor a temp file may be left behind");
    }

    @Test
    void failedRunLeavesAnExistingOutputFileAlone() throws IOException {
        Path out = Files.writeString(tmp.resolve("F.npy"), "previous result");
        CommandRun r = run("logits", "--model", HF.toString(), "--tokens", "101", "--out", out.toString());
        assertFailure(r);
        assertEquals("previous result", Files.readString(out));
        assertEquals(List.of("F.npy"), listing(tmp));
    }

    @Test
    void tooManyTokens() {
        String seventeen = IntStream.range(0, 17).mapToObj(Integer::toString).collect(Collectors.joining(","));
        Path out = tmp.resolve("F.npy");
        CommandRun r = run("logits", "--model", HF.toString(), "--tokens", seventeen, "--out", out.toString());
        String msg = assertFailure(r);
        assertTrue(msg.contains("17") && msg.contains("n_ctx") && msg.contains("16"), msg);
        assertFalse(Files.exists(out));
    }

    @Test
    void corruptSafetensors() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("corrupt"));
        Files.copy(HF.resolve("config.json"), dir.resolve("config.json"));
        Files.writeString(dir.resolve("model.safetensors"), "this is not a safetensors file at all");
        Path out = tmp.resolve("F.npy");
        CommandRun r = run("logits", "--model", dir.toString(), "--tokens", "1,2", "--out", out.toString());
        String msg = assertFailure(r);
        assertTrue(msg.contains(dir.resolve("model.safetensors").toString()), msg);
        assertFalse(Files.exists(out));
    }

    @Test
    void truncatedSafetensors() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("truncated"));
        Files.copy(HF.resolve("config.json"), dir.resolve("config.json"));
        byte[] full = Files.readAllBytes(HF.resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(full, full.length / 2));
        String msg = assertFailure(run("info", "--model", dir.toString()));
        assertTrue(msg.contains(dir.resolve("model.safetensors").toString()), msg);
        assertTrue(msg.contains("truncated"), msg);
    }

    @Test
    void unknownZooModel() {
        String msg = assertFailure(run("info", "--model", "zoo:nope"));
        assertTrue(msg.contains("zoo:nope") && msg.contains("available"), msg);
    }

    @Test
    void predictWithoutTokenizer() {
        String msg = assertFailure(run("predict", "--model", HF.toString(), "--text", "hello"));
        assertTrue(msg.contains("no tokenizer"), msg);
        assertTrue(msg.contains("predict"), msg);
    }

    @Test
    void predictWithAWordOutsideTheVocabulary() {
        String msg = assertFailure(run("predict", "--model", nativeModel().toString(), "--text", "the zebra"));
        assertTrue(msg.contains("zebra"), msg);
    }

    // ---- usage errors: exit 2 ----

    @Test
    void missingModelOptionIsAUsageError() {
        CommandRun r = run("logits", "--tokens", "1", "--out", tmp.resolve("F.npy").toString());
        assertUsageError(r, "--model");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertUsageError(run("info", "--model", HF.toString(), "--bogus"), "--bogus");
    }

    @Test
    void nonNumericTokensAreAUsageError() {
        assertUsageError(run("logits", "--model", HF.toString(), "--tokens", "abc", "--out",
                tmp.resolve("F.npy").toString()), "abc");
        assertFalse(Files.exists(tmp.resolve("F.npy")));
    }

    @Test
    void emptyOptionValuesAreUsageErrorsNamingTheOption() {
        assertUsageError(run("logits", "--model", HF.toString(), "--tokens", "1", "--out", ""), "--out");
        assertUsageError(run("logits", "--model", "", "--tokens", "1", "--out", tmp.resolve("F.npy").toString()),
                "--model");
        assertUsageError(run("info", ""), "M");
        assertUsageError(run("train", "--task", "ioi", "--out", ""), "--out");
        assertFalse(Files.exists(tmp.resolve("F.npy")));
    }

    @Test
    void tokensGivenTwiceAreRefusedNotConcatenated() {
        Path out = tmp.resolve("F.npy");
        assertUsageError(run("logits", "--model", HF.toString(), "--tokens", "1,2", "--tokens", "3", "--out",
                out.toString()), "--tokens");
        assertFalse(Files.exists(out));
    }

    @Test
    void outputThatIsAFifoIsNeverReplaced() throws Exception {
        Path fifo = tmp.resolve("pipe.npy");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        String msg = assertFailure(run("logits", "--model", HF.toString(), "--tokens", "1", "--out", fifo.toString()));
        assertEquals(fifo + ": cannot write: is not a regular file (a device, FIFO or socket); refusing to replace it",
                msg);
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "still a FIFO");
        assertEquals(List.of("pipe.npy"), listing(tmp));
    }

    @Test
    void outputThroughASymbolicLinkWritesTheTargetAndKeepsTheLink() throws IOException {
        Path real = Files.writeString(tmp.resolve("real.npy"), "old");
        Path link = Files.createSymbolicLink(tmp.resolve("link.npy"), real);
        CommandRun r = run("logits", "--model", HF.toString(), "--tokens", "1,2", "--out", link.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(new int[] {2, 101}, Npy.read(real).shape());
    }

    @Test
    void infoWithoutAnyModelIsAUsageError() {
        assertUsageError(run("info"), "model");
    }

    @Test
    void nonPositiveTopIsAUsageError() {
        assertUsageError(run("predict", "--model", nativeModel().toString(), "--text", "the", "--top", "0"),
                "--top");
    }

    @Test
    void unknownTrainingTaskIsAUsageError() {
        assertUsageError(run("train", "--task", "sorting", "--out", tmp.resolve("m").toString()), "sorting");
    }

    @Test
    void trainingRefusesANonEmptyOutputDirectoryBeforeItStarts() throws IOException {
        Path used = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(used.resolve("vocab.txt"), "old\n");
        CommandRun r = run("train", "--task", "induction", "--steps", "100000", "--out", used.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("already exists and is not empty"), r::toString);
        assertFalse(r.err().contains("train induction"), "no training ran: " + r);
        assertEquals("old\n", Files.readString(used.resolve("vocab.txt")));
    }

    @Test
    void trainingRefusesASymbolicLinkAsItsOutputDirectory() throws IOException {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        String msg = assertFailure(run("train", "--task", "ioi", "--steps", "1", "--out", link.toString()));
        assertEquals(link + ": is a symbolic link; give the directory it points to instead", msg);
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(List.of(), listing(real));
    }

    @Test
    void trainingWritesACompleteModelDirectory() throws IOException {
        Path dir = tmp.resolve("fresh-model");
        CommandRun r = run("train", "--task", "ioi", "--steps", "3", "--seed", "4", "--out", dir.toString());
        assertEquals(0, r.code(), r::toString);
        try (var files = Files.list(dir)) {
            assertEquals(List.of("config.json", "model-card.json", "model.safetensors", "vocab.txt"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        try (var siblings = Files.list(tmp)) {
            assertTrue(siblings.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no staging left");
        }
        assertTrue(run("info", dir.toString()).out().contains("\"task\" : \"ioi\""));
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        assertUsageError(run("frobnicate"), "frobnicate");
    }

    // ---- --debug ----

    @Test
    void debugPrintsTheStackTrace() {
        for (String[] args : List.of(
                new String[] {"--debug", "info", "--model", tmp.resolve("nope").toString()},
                new String[] {"info", "--model", tmp.resolve("nope").toString(), "--debug"})) {
            CommandRun r = run(args);
            assertEquals(1, r.code(), r::toString);
            assertTrue(r.err().contains("CircuitscopeException"), r::toString);
            assertTrue(r.errLines().stream().anyMatch(l -> l.startsWith("\tat ")), r::toString);
            assertTrue(r.errLines().stream().anyMatch(l -> l.startsWith("error: ")), r::toString);
        }
    }

    // ---- predict on a native model with a word-level vocabulary ----

    @Test
    void predictPrintsARankedTable() {
        Path dir = nativeModel();
        CommandRun r = run("predict", "--model", dir.toString(), "--text", "the cat sat on the");
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
        assertTrue(r.out().contains("prompt: 6 tokens (BOS prepended)"), r::toString);
        List<Row> rows = rows(r.out());
        assertEquals(10, rows.size(), r::toString);
        checkTable(rows, r);

        CommandRun top3 = run("predict", "--model", dir.toString(), "--text", "the cat sat on the", "--top", "3");
        assertEquals(0, top3.code(), top3::toString);
        List<Row> three = rows(top3.out());
        assertEquals(3, three.size(), top3::toString);
        assertEquals(rows.subList(0, 3), three, "--top 3 shows the first three rows of the full ranking");
    }

    @Test
    void predictOverTheWholeVocabularySumsToOne() {
        CommandRun r = run("predict", "--model", nativeModel().toString(), "--text", "a big dog", "--top", "100");
        assertEquals(0, r.code(), r::toString);
        List<Row> rows = rows(r.out());
        assertEquals(WORDS.size(), rows.size(), "--top beyond the vocabulary shows every token once");
        checkTable(rows, r);
        double sum = rows.stream().mapToDouble(Row::probability).sum();
        assertEquals(1.0, sum, rows.size() * 5e-5 + 1e-6, r::toString);
    }

    @Test
    void predictWithoutBos() {
        CommandRun r = run("predict", "--model", nativeModel().toString(), "--text", "the cat sat", "--no-prepend-bos");
        assertEquals(0, r.code(), r::toString);
        assertLine(r.out(), "prompt: 3 tokens");
    }

    // ---- helpers ----

    record Row(int rank, int id, String token, double probability) {
    }

    /** rank, id, 'token', logit, probability (%.4g, so possibly in e-notation). */
    private static final Pattern ROW = Pattern.compile(
            "^\\s*(\\d+)\\s+(\\d+)\\s+'(.*)'\\s+(-?\\d+[.,]\\d+)\\s+(\\d+(?:[.,]\\d+)?(?:e[-+]\\d+)?)\\s*$");

    private static List<Row> rows(String out) {
        List<Row> rows = new ArrayList<>();
        for (String line : out.split("\\R")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.add(new Row(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), m.group(3),
                        Double.parseDouble(m.group(5).replace(',', '.'))));
            }
        }
        return rows;
    }

    private static void checkTable(List<Row> rows, CommandRun r) {
        Set<Integer> ids = new HashSet<>();
        double sum = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            assertEquals(i + 1, row.rank(), r::toString);
            assertTrue(row.id() >= 0 && row.id() < WORDS.size(), r::toString);
            assertTrue(ids.add(row.id()), "each token once: " + r);
            assertEquals(WORDS.get(row.id()), row.token(), r::toString);
            assertTrue(row.probability() >= 0 && row.probability() <= 1, r::toString);
            if (i > 0) {
                assertTrue(row.probability() <= rows.get(i - 1).probability(), "ranked highest first: " + r);
            }
            sum += row.probability();
        }
        // Each printed probability is rounded to 4 decimals.
        assertTrue(sum <= 1 + rows.size() * 5e-5, "probabilities sum to " + sum + ": " + r);
    }

    /** A native LN + MLP model with random weights and a vocab.txt, BOS id 0. */
    private Path nativeModel() {
        Path dir = tmp.resolve("native-words");
        if (!Files.isDirectory(dir)) {
            ModelConfig cfg = new ModelConfig(2, 16, 4, 4, 32, WORDS.size(), 16, "gelu_new", "LN", false,
                    "standard", 1e-5, 0, "toy-words");
            NativeCheckpoint.write(dir, RandomWeights.dense(cfg, 17, 0.5));
            new WordLevelTokenizer(WORDS).write(dir.resolve("vocab.txt"));
        }
        return dir;
    }

    /** Exit 1, nothing on stdout, exactly one stderr line "error: ..." with no exception or stack trace. */
    private static String assertFailure(CommandRun r) {
        assertEquals(1, r.code(), r::toString);
        List<String> lines = r.errLines();
        assertEquals(1, lines.size(), r::toString);
        String line = lines.get(0);
        assertTrue(line.startsWith("error: "), r::toString);
        assertFalse(r.err().contains("Exception"), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
        return line.substring("error: ".length());
    }

    private static void assertUsageError(CommandRun r, String mentioned) {
        assertEquals(2, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), () -> "one line on stderr: " + r);
        assertTrue(r.errLines().get(0).startsWith("error: ") && r.errLines().get(0).endsWith("--help')"),
                r::toString);
        assertTrue(r.err().contains(mentioned), r::toString);
        assertFalse(r.err().contains("Exception"), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
    }

    private static void assertLine(String text, String regex) {
        assertTrue(Pattern.compile("(?m)^" + regex + "\\s*$").matcher(text).find(),
                "no line matching " + regex + " in\n" + text);
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static int[] referenceTokens(Path dir) throws IOException {
        JsonNode tokens = new ObjectMapper().readTree(dir.resolve("reference.json").toFile()).get("tokens");
        return IntStream.range(0, tokens.size()).map(i -> tokens.get(i).asInt()).toArray();
    }

    /** A float32 little-endian .npy file, parsed with just enough of the format to check the CLI's output. */
    record Npy(int[] shape, float[] data) {
        static Npy read(Path file) throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            assertEquals((byte) 0x93, bytes[0], file + " is not .npy");
            assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII), file + " is not .npy");
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int headerLength = Short.toUnsignedInt(buf.getShort(8));
            assertEquals(1, bytes[6], "format version 1.0");
            assertEquals(0, (10 + headerLength) % 64, "header padded to 64 bytes");
            String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
            assertTrue(header.endsWith("\n"), header);
            assertTrue(header.contains("'descr': '<f4'") && header.contains("'fortran_order': False"), header);
            Matcher m = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
            assertTrue(m.find(), header);
            int[] shape = java.util.Arrays.stream(m.group(1).split(",")).map(String::strip)
                    .filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
            float[] data = new float[(bytes.length - 10 - headerLength) / 4];
            assertEquals(IntStream.of(shape).asLongStream().reduce(1, (a, b) -> a * b), data.length, header);
            buf.position(10 + headerLength);
            buf.asFloatBuffer().get(data);
            return new Npy(shape, data);
        }
    }
}
