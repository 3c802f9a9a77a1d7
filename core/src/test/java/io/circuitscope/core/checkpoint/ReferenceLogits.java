package io.circuitscope.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkpoint fixtures written by other tools, each with {@code reference.json} (the tokens) and
 * {@code expected_logits.npy} (float32 [n_tokens, d_vocab] from an independent implementation).
 */
final class ReferenceLogits {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceLogits() {
    }

    /** A test-resource directory, e.g. {@code hf-gpt2/plain-untied}. */
    static Path resource(String path) {
        URL url = ReferenceLogits.class.getResource("/" + path);
        assertNotNull(url, "test resource " + path + " is missing");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static int[] referenceTokens(Path dir) throws IOException {
        JsonNode tokens = JSON.readTree(dir.resolve("reference.json").toFile()).get("tokens");
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokens.get(i).asInt();
        }
        return ids;
    }

    /** Every fixture is the same tiny GPT-2: 2 layers, 4 heads of 8, d_model 32, vocab 101, n_ctx 16, BOS 100. */
    static void assertTinyGpt2(LoadedModel loaded) {
        ModelConfig cfg = loaded.weights().config();
        assertEquals(2, cfg.nLayers());
        assertEquals(32, cfg.dModel());
        assertEquals(4, cfg.nHeads());
        assertEquals(8, cfg.dHead());
        assertEquals(128, cfg.mlpWidth(), "n_inner null means 4 * n_embd");
        assertEquals(101, cfg.dVocab());
        assertEquals(16, cfg.nCtx());
        assertEquals("gelu_new", cfg.actFn());
        assertEquals(1e-5, cfg.eps());
        assertEquals(100, loaded.bosTokenId().orElseThrow());
    }

    /**
     * Loads the fixture's weights as {@link ModelSource} does (by its {@link CheckpointLayout}), runs its tokens and asserts every logit is within {@code atol}
     * of the expected ones; returns the largest difference.
     */
    static double assertMatches(Path dir, double atol, String label) throws IOException {
        int[] tokens = referenceTokens(dir);
        Npy expected = Npy.read(dir.resolve("expected_logits.npy"));
        int vocab = expected.shape()[1];
        assertEquals(tokens.length, expected.shape()[0]);
        float[] actual;
        try (HookedTransformer model = HookedTransformer.load(CheckpointLayout.of(dir).parameters(dir));
             NDManager out = model.manager().newSubManager()) {
            NDArray logits = model.logits(out, new int[][] {tokens});
            assertArrayEquals(new long[] {1, tokens.length, vocab}, logits.getShape().getShape());
            actual = logits.toFloatArray();
        }
        double maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < actual.length; i++) {
            double diff = Math.abs(actual[i] - expected.data()[i]);
            if (Double.isNaN(diff) || diff > maxDiff) {
                maxDiff = diff;
                worst = i;
                if (Double.isNaN(diff)) {
                    break;
                }
            }
        }
        double finalMax = maxDiff;
        int finalWorst = worst;
        assertTrue(maxDiff <= atol, () -> label + ": max |logit - reference| = " + finalMax + " at position "
                + finalWorst / vocab + ", token " + finalWorst % vocab + " (tolerance " + atol + ")");
        return maxDiff;
    }

    /** A float32 little-endian NumPy array, read with just enough of the format for the fixtures. */
    record Npy(int[] shape, float[] data) {
        private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
        private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
        private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

        static Npy read(Path file) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[6];
            buf.get(magic);
            if (magic[0] != (byte) 0x93 || !"NUMPY".equals(new String(magic, 1, 5, StandardCharsets.US_ASCII))) {
                throw new AssertionError(file + ": not an .npy file");
            }
            int major = buf.get();
            buf.get();
            int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
            byte[] header = new byte[headerLength];
            buf.get(header);
            String dict = new String(header, StandardCharsets.ISO_8859_1);
            String descr = group(DESCR, dict, file);
            if (!descr.equals("<f4")) {
                throw new AssertionError(file + ": dtype " + descr + ", expected <f4");
            }
            if (!group(FORTRAN, dict, file).equals("False")) {
                throw new AssertionError(file + ": Fortran order is not supported");
            }
            int[] shape = Arrays.stream(group(SHAPE, dict, file).split(","))
                    .map(String::strip).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
            long size = FloatTensor.sizeOf(shape);
            if (buf.remaining() != size * 4) {
                throw new AssertionError(file + ": " + buf.remaining() + " data bytes for shape "
                        + Arrays.toString(shape));
            }
            float[] data = new float[(int) size];
            buf.asFloatBuffer().get(data);
            return new Npy(shape, data);
        }

        private static String group(Pattern p, String dict, Path file) {
            Matcher m = p.matcher(dict);
            if (!m.find()) {
                throw new AssertionError(file + ": header " + dict.strip() + " has no " + p.pattern());
            }
            return m.group(1);
        }
    }
}
