package io.circuitscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.checkpoint.HfGpt2Writer;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.tokenizer.ByteLevelFixture;
import io.circuitscope.core.tokenizer.TokenizerJsonTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code circuitscope.jar} runs a model's {@code tokenizer.json} through the HF tokenizers native library
 * that it carries: in a JVM whose home and DJL cache are empty and whose HTTP(S) goes to a closed port, it extracts
 * the library from itself and predicts, so nothing was, or could have been, downloaded.
 */
@Tag("slow")
class TokenizerJsonJarIT {
    private static final String NATIVE_DIR = "native/lib/linux-x86_64/cpu/";
    private static final Pattern PREDICTION_ROW =
            Pattern.compile("(?m)^\\s*(\\d+)\\s+(\\d+)\\s+('.*')\\s+(-?[0-9.]+)\\s+([0-9.]+(?:e[-+]\\d+)?)\\s*$");

    @TempDir
    Path workDir;

    @TempDir
    Path logs;

    @TempDir
    Path home;

    @TempDir
    Path model;

    /** An empty home and DJL cache, and no network: a download would fail the run instead of hiding in a cache. */
    private Map<String, String> freshOfflineEnvironment() {
        Path cache = home.resolve("djl-cache");
        return Map.of(
                "HOME", home.toString(),
                "DJL_CACHE_DIR", cache.toString(),
                // DJL prefers ENGINE_CACHE_DIR when it is set to anything but the empty string.
                "ENGINE_CACHE_DIR", "",
                // The JVM takes user.home from the password database, not from HOME.
                "JAVA_TOOL_OPTIONS", "-Duser.home=" + home + " -Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=9"
                        + " -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=9");
    }

    /** A random two-layer HF GPT-2 checkpoint with the fixture's byte-level BPE as its tokenizer.json. */
    private void writeModel() throws IOException {
        ModelConfig c = new ModelConfig(2, 16, 2, 8, 32, ByteLevelFixture.VOCAB_SIZE, 32, "gelu_new", "LN", false,
                "standard", 1e-5, null, "tiny-gpt2-tokenizer-json");
        HfGpt2Writer.write(model, HfGpt2Writer.withoutUnembedBias(RandomWeights.dense(c, 11, 0.5)), true, false);
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(model.resolve("config.json").toFile());
        cfg.put("bos_token_id", ByteLevelFixture.END_OF_TEXT);
        json.writeValue(model.resolve("config.json").toFile(), cfg);
        ByteLevelFixture.writeTokenizerJson(model, true);
    }

    @Test
    void predictDecodesWithTheLibraryTheJarCarriesAndDownloadsNothing() throws Exception {
        Path jarPath = Path.of(System.getProperty("circuitscope.jar"));
        byte[] library;
        String version;
        try (ZipFile jar = new ZipFile(jarPath.toFile())) {
            ZipEntry entry = jar.getEntry(NATIVE_DIR + "libtokenizers.so");
            assertNotNull(entry, jarPath + " lacks " + NATIVE_DIR + "libtokenizers.so");
            try (InputStream in = jar.getInputStream(entry)) {
                library = in.readAllBytes();
            }
            Properties properties = new Properties();
            try (InputStream in = jar.getInputStream(jar.getEntry("native/lib/tokenizers.properties"))) {
                properties.load(in);
            }
            version = properties.getProperty("version");
        }
        writeModel();
        PackagedJar jar = new PackagedJar(workDir, logs);

        String text = "hello hello world! <|endoftext|>";
        CommandRun r = jar.run(freshOfflineEnvironment(), "predict", "--model", model.toString(), "--text", text,
                "--top", "5");
        assertEquals(0, r.code(), r.toString());
        try (TokenizerJsonTokenizer tokenizer =
                     TokenizerJsonTokenizer.read(model.resolve("tokenizer.json"), ByteLevelFixture.VOCAB_SIZE)) {
            int[] ids = tokenizer.encode(text);
            // The spelling <|endoftext|> is plain text, so the only BOS is the one prepended.
            assertTrue(IntStream.of(ids).noneMatch(id -> id == ByteLevelFixture.END_OF_TEXT), Arrays.toString(ids));
            assertTrue(r.out().startsWith("prompt: " + (ids.length + 1) + " tokens (BOS prepended)\n"), r.toString());
            Matcher row = PREDICTION_ROW.matcher(r.out());
            int rows = 0;
            while (row.find()) {
                String decoded = tokenizer.decode(Integer.parseInt(row.group(2))).replace("\n", "\\n");
                assertEquals("'" + decoded + "'", row.group(3), r.toString());
                rows++;
            }
            assertEquals(5, rows, r.toString());
        }

        // The library came out of the jar into the fresh cache, byte for byte.
        Path extracted = home.resolve("djl-cache").resolve("tokenizers").resolve(version + "-cpu-linux-x86_64")
                .resolve("libtokenizers.so");
        assertTrue(Files.isRegularFile(extracted), "no " + extracted);
        assertArrayEquals(library, Files.readAllBytes(extracted));

        CommandRun info = jar.run(freshOfflineEnvironment(), "info", "--model", model.toString());
        assertEquals(0, info.code(), info.toString());
        assertTrue(info.out().contains("tokenizer        byte-level BPE from tokenizer.json (267 tokens)"),
                info.toString());
    }
}
