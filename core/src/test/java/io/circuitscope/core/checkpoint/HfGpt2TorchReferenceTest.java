package io.circuitscope.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.source.ModelSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HF GPT-2 loader and the engine against checkpoints written by the real Hugging Face
 * {@code transformers} ({@code save_pretrained(..., safe_serialization=True)}) and logits computed by
 * real PyTorch ({@code core/src/test/python/make_hf_gpt2_torch_fixtures.py}; see
 * {@code core/src/test/resources/hf-gpt2-torch/README.md} for versions).
 */
class HfGpt2TorchReferenceTest {
    /** Both sides compute in float32; the f16 fixture's reference runs the F16-rounded weights in float32. */
    private static final double ATOL = 1e-3;

    static Path fixture(String name) {
        return ReferenceLogits.resource("hf-gpt2-torch/" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lmhead-tied", "lmhead-untied", "base-model", "lmhead-tied-f16"})
    void logitsMatchPyTorch(String name) throws IOException {
        Path dir = fixture(name);
        ReferenceLogits.assertTinyGpt2(ModelSource.load(dir.toString()));
        double maxDiff = ReferenceLogits.assertMatches(dir, ATOL, "hf-gpt2-torch/" + name);
        System.out.printf("hf-gpt2-torch/%s: max |logit - torch| = %.3g%n", name, maxDiff);
    }

    /** Pins what the fixtures are, so a regeneration with another transformers cannot silently change them. */
    @ParameterizedTest
    @CsvSource({
        "lmhead-tied,     transformer., F32, false",
        "lmhead-untied,   transformer., F32, true",
        "base-model,      '',           F32, false",
        "lmhead-tied-f16, transformer., F16, false",
    })
    void fixturesHoldWhatHfWrites(String name, String prefix, String dtype, boolean lmHead) {
        try (SafetensorsFile st = SafetensorsFile.open(fixture(name).resolve("model.safetensors"))) {
            Set<String> names = st.names();
            assertTrue(names.contains(prefix + "wte.weight"), names.toString());
            assertTrue(names.contains(prefix + "h.1.mlp.c_proj.weight"), names.toString());
            assertEquals(lmHead, names.contains("lm_head.weight"), names.toString());
            if (prefix.isEmpty()) {
                assertFalse(names.stream().anyMatch(n -> n.startsWith("transformer.")), names.toString());
            }
            assertEquals(dtype, st.dtype(prefix + "wte.weight"));
            assertArrayEquals(new int[] {32, 96}, st.shape(prefix + "h.0.attn.c_attn.weight"), "Conv1D [in, out]");
        }
    }
}
