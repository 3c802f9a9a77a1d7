package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.circuitscope.core.checkpoint.CheckpointException;
import io.circuitscope.core.checkpoint.HfGpt2Checkpoint;
import io.circuitscope.core.checkpoint.HfGpt2Writer;
import io.circuitscope.core.checkpoint.SafetensorsFile;
import io.circuitscope.core.checkpoint.SafetensorsWriter;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterSink;
import io.circuitscope.core.model.ParameterSource;
import io.circuitscope.core.model.RandomWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineParameterLoaderTest {
    private static final ModelConfig CFG = new ModelConfig(2, 16, 4, 4, 24, 23, 12, "gelu_new", "LN", false,
            "standard", 1e-5, null, "loader-test");

    @TempDir
    Path tmp;

    @Test
    void everyParameterReadsBackExactlyAsStreamedIncludingTheRelaidOutProjections() {
        ModelWeights w = RandomWeights.dense(CFG, 3, 0.5);
        try (HookedTransformer model = HookedTransformer.load(w); NDManager out = model.manager().newSubManager()) {
            for (Map.Entry<String, FloatTensor> e : w.tensors().entrySet()) {
                FloatTensor back = TensorBridge.toHeap(model.parameter(out, e.getKey()));
                assertArrayEquals(e.getValue().shape(), back.shape(), e.getKey());
                assertArrayEquals(e.getValue().data(), back.data(), e.getKey());
            }
        }
    }

    @Test
    void aTiedUnembeddingIsTheTransposeOfTheEmbeddingAndRunsLikeASeparateCopy() throws IOException {
        ModelWeights tied = HfGpt2Writer.tie(HfGpt2Writer.withoutUnembedBias(RandomWeights.dense(CFG, 4, 0.5)));
        Path dir = tmp.resolve("tied");
        HfGpt2Writer.write(dir, tied, true, true);
        int[][] tokens = {{1, 5, 7, 2, 9}, {0, 3, 22, 4, 4}};
        try (HookedTransformer streamed = HookedTransformer.load(HfGpt2Checkpoint.parameters(dir));
             HookedTransformer copied = HookedTransformer.load(tied);
             NDManager out = streamed.manager().newSubManager()) {
            FloatTensor wU = TensorBridge.toHeap(streamed.parameter(out, "unembed.W_U"));
            assertArrayEquals(tied.get("embed.W_E").transpose2d().data(), wU.data());
            assertArrayEquals(copied.logitsOnHeap(tokens).data(), streamed.logitsOnHeap(tokens).data(), 1e-6f);
        }
    }

    @Test
    void aTiedCheckpointThatAlsoStoresAnIdenticalLmHeadStreamsLikeOneWithout() throws IOException {
        ModelWeights tied = HfGpt2Writer.tie(HfGpt2Writer.withoutUnembedBias(RandomWeights.dense(CFG, 8, 0.5)));
        Path dir = tmp.resolve("tied-with-head");
        HfGpt2Writer.write(dir, tied, false, false);
        Path config = dir.resolve("config.json");
        String json = java.nio.file.Files.readString(config);
        String retied = json.replaceAll("\"tie_word_embeddings\"\\s*:\\s*false", "\"tie_word_embeddings\":true");
        assertTrue(!retied.equals(json), json);
        java.nio.file.Files.writeString(config, retied);
        int[][] tokens = {{3, 1, 4, 1, 5}};
        try (HookedTransformer streamed = HookedTransformer.load(HfGpt2Checkpoint.parameters(dir));
             HookedTransformer copied = HookedTransformer.load(tied)) {
            assertArrayEquals(copied.logitsOnHeap(tokens).data(), streamed.logitsOnHeap(tokens).data(), 1e-6f);
        }
    }

    @Test
    void damagedDataFoundWhileStreamingFailsTheLoadNamingTheTensor() throws IOException {
        Path dir = tmp.resolve("nan");
        HfGpt2Writer.write(dir, HfGpt2Writer.withoutUnembedBias(RandomWeights.dense(CFG, 5, 0.5)), false, false);
        Path file = dir.resolve("model.safetensors");
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            st.names().forEach(n -> tensors.put(n, st.read(n)));
        }
        tensors.get("h.1.mlp.c_fc.weight").data()[7] = Float.NaN;
        SafetensorsWriter.write(file, tensors, Map.of());
        ParameterSource source = HfGpt2Checkpoint.parameters(dir);
        CheckpointException e = assertThrows(CheckpointException.class, () -> HookedTransformer.load(source));
        assertTrue(e.getMessage().contains("'h.1.mlp.c_fc.weight' holds NaN at flat index 7"), e.getMessage());
    }

    @Test
    void aSourceThatBreaksTheLayoutIsRefusedWithTheParameterNamed() {
        ModelWeights w = RandomWeights.dense(CFG, 6, 0.5);
        FloatTensor wE = w.get("embed.W_E");
        assertRefused(sink -> w.tensors().entrySet().stream().skip(1).forEach(e -> sink.accept(e.getKey(),
                e.getValue())), "missing parameter embed.W_E");
        assertRefused(sink -> sink.accept("blocks.9.attn.W_Q", wE), "unexpected parameter blocks.9.attn.W_Q");
        assertRefused(sink -> {
            sink.accept("embed.W_E", wE);
            sink.accept("embed.W_E", wE);
        }, "parameter embed.W_E was streamed twice");
        assertRefused(sink -> sink.accept("embed.W_E", wE.transpose2d()), "parameter embed.W_E has shape [16, 23]");
        assertRefused(sink -> sink.accept("embed.W_E", new int[] {23, 16}, buf -> buf.put(1f)),
                "parameter embed.W_E was given 1 values for 368");
        assertRefused(sink -> sink.accept("embed.W_E", new int[] {16, 23}, buf -> buf.put(wE.data())),
                "parameter embed.W_E has shape [16, 23], expected [23, 16]");
        assertRefused(sink -> sink.acceptTranspose("unembed.W_U", "embed.W_E"),
                "unembed.W_U [16, 23] cannot be the transpose of embed.W_E, which was not streamed before it");
        assertRefused(sink -> {
            sink.accept("pos_embed.W_pos", w.get("pos_embed.W_pos"));
            sink.acceptTranspose("unembed.W_U", "pos_embed.W_pos");
        }, "cannot be the transpose of pos_embed.W_pos (12, 16)");
    }

    private static void assertRefused(Consumer<ParameterSink> stream, String phrase) {
        ParameterSource source = ParameterSource.of(CFG, stream);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HookedTransformer.load(source));
        assertTrue(e.getMessage().contains(phrase), e.getMessage());
    }

    @Test
    void aCollectedTiedSourceHoldsItsOwnTransposedCopyAndCountsItLikeTransformerLens() throws IOException {
        ModelWeights tied = HfGpt2Writer.tie(HfGpt2Writer.withoutUnembedBias(RandomWeights.dense(CFG, 7, 0.5)));
        Path dir = tmp.resolve("tied-heap");
        HfGpt2Writer.write(dir, tied, false, true);
        ParameterSource source = HfGpt2Checkpoint.parameters(dir);
        ModelWeights collected = ModelWeights.collect(source);
        assertArrayEquals(tied.get("unembed.W_U").data(), collected.get("unembed.W_U").data());
        assertEquals(tied.parameterCount(), source.verifiedParameterCount());
        assertEquals(tied.parameterCount(), collected.verifiedParameterCount());
    }
}
