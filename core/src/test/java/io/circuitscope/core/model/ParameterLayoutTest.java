package io.circuitscope.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterLayoutTest {

    private static ModelConfig config(int nLayers, Integer dMlp, String normalization, boolean attnOnly) {
        return new ModelConfig(nLayers, 6, 3, 5, dMlp, 11, 13, "gelu_new", normalization, attnOnly, "standard", 1e-5,
                null, "t");
    }

    @Test
    void fullLayerNormModelInTransformerLensOrderWithShapes() {
        Map<String, int[]> layout = ParameterLayout.of(config(1, 7, "LN", false));
        assertEquals(List.of(
                "embed.W_E", "pos_embed.W_pos",
                "blocks.0.ln1.w", "blocks.0.ln1.b",
                "blocks.0.attn.W_Q", "blocks.0.attn.b_Q", "blocks.0.attn.W_K", "blocks.0.attn.b_K",
                "blocks.0.attn.W_V", "blocks.0.attn.b_V", "blocks.0.attn.W_O", "blocks.0.attn.b_O",
                "blocks.0.ln2.w", "blocks.0.ln2.b",
                "blocks.0.mlp.W_in", "blocks.0.mlp.b_in", "blocks.0.mlp.W_out", "blocks.0.mlp.b_out",
                "ln_final.w", "ln_final.b",
                "unembed.W_U", "unembed.b_U"), new ArrayList<>(layout.keySet()));
        assertArrayEquals(new int[] {11, 6}, layout.get("embed.W_E"));
        assertArrayEquals(new int[] {13, 6}, layout.get("pos_embed.W_pos"));
        assertArrayEquals(new int[] {6}, layout.get("blocks.0.ln1.w"));
        assertArrayEquals(new int[] {6}, layout.get("blocks.0.ln1.b"));
        for (String x : List.of("Q", "K", "V")) {
            assertArrayEquals(new int[] {3, 6, 5}, layout.get("blocks.0.attn.W_" + x), x);
            assertArrayEquals(new int[] {3, 5}, layout.get("blocks.0.attn.b_" + x), x);
        }
        assertArrayEquals(new int[] {3, 5, 6}, layout.get("blocks.0.attn.W_O"));
        assertArrayEquals(new int[] {6}, layout.get("blocks.0.attn.b_O"));
        assertArrayEquals(new int[] {6}, layout.get("blocks.0.ln2.w"));
        assertArrayEquals(new int[] {6}, layout.get("blocks.0.ln2.b"));
        assertArrayEquals(new int[] {6, 7}, layout.get("blocks.0.mlp.W_in"));
        assertArrayEquals(new int[] {7}, layout.get("blocks.0.mlp.b_in"));
        assertArrayEquals(new int[] {7, 6}, layout.get("blocks.0.mlp.W_out"));
        assertArrayEquals(new int[] {6}, layout.get("blocks.0.mlp.b_out"));
        assertArrayEquals(new int[] {6}, layout.get("ln_final.w"));
        assertArrayEquals(new int[] {6}, layout.get("ln_final.b"));
        assertArrayEquals(new int[] {6, 11}, layout.get("unembed.W_U"));
        assertArrayEquals(new int[] {11}, layout.get("unembed.b_U"));
    }

    @Test
    void defaultMlpWidthIsFourTimesDModel() {
        Map<String, int[]> layout = ParameterLayout.of(config(1, null, "LN", false));
        assertArrayEquals(new int[] {6, 24}, layout.get("blocks.0.mlp.W_in"));
        assertArrayEquals(new int[] {24}, layout.get("blocks.0.mlp.b_in"));
        assertArrayEquals(new int[] {24, 6}, layout.get("blocks.0.mlp.W_out"));
    }

    @Test
    void attentionOnlyModelsWithoutLearnedNormHaveNoMlpOrNormParameters() {
        Map<String, int[]> layout = ParameterLayout.of(config(2, 7, "LNPre", true));
        assertEquals(List.of(
                "embed.W_E", "pos_embed.W_pos",
                "blocks.0.attn.W_Q", "blocks.0.attn.b_Q", "blocks.0.attn.W_K", "blocks.0.attn.b_K",
                "blocks.0.attn.W_V", "blocks.0.attn.b_V", "blocks.0.attn.W_O", "blocks.0.attn.b_O",
                "blocks.1.attn.W_Q", "blocks.1.attn.b_Q", "blocks.1.attn.W_K", "blocks.1.attn.b_K",
                "blocks.1.attn.W_V", "blocks.1.attn.b_V", "blocks.1.attn.W_O", "blocks.1.attn.b_O",
                "unembed.W_U", "unembed.b_U"), new ArrayList<>(layout.keySet()));
    }

    @Test
    void layerNormAttentionOnlyModelsKeepLn1ButNotLn2() {
        Map<String, int[]> layout = ParameterLayout.of(config(1, 7, "LN", true));
        assertEquals(List.of(
                "embed.W_E", "pos_embed.W_pos", "blocks.0.ln1.w", "blocks.0.ln1.b",
                "blocks.0.attn.W_Q", "blocks.0.attn.b_Q", "blocks.0.attn.W_K", "blocks.0.attn.b_K",
                "blocks.0.attn.W_V", "blocks.0.attn.b_V", "blocks.0.attn.W_O", "blocks.0.attn.b_O",
                "ln_final.w", "ln_final.b", "unembed.W_U", "unembed.b_U"), new ArrayList<>(layout.keySet()));
    }

    @Test
    void mlpWithoutNormalizationHasNoLnParameters() {
        Map<String, int[]> layout = ParameterLayout.of(config(1, 7, null, false));
        assertEquals(List.of(
                "embed.W_E", "pos_embed.W_pos",
                "blocks.0.attn.W_Q", "blocks.0.attn.b_Q", "blocks.0.attn.W_K", "blocks.0.attn.b_K",
                "blocks.0.attn.W_V", "blocks.0.attn.b_V", "blocks.0.attn.W_O", "blocks.0.attn.b_O",
                "blocks.0.mlp.W_in", "blocks.0.mlp.b_in", "blocks.0.mlp.W_out", "blocks.0.mlp.b_out",
                "unembed.W_U", "unembed.b_U"), new ArrayList<>(layout.keySet()));
    }
}
