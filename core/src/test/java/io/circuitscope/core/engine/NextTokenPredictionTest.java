package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.ParameterLayout;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.tokenizer.Tokenizer;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NextTokenPredictionTest {
    private static final ModelConfig CONFIG =
            new ModelConfig(2, 16, 4, 4, 24, 23, 12, "gelu_new", "LN", false, "standard", 1e-5, null, "predict-test");

    /** Letters a..z as ids 0..25, one token per letter; spaces are dropped. */
    private static final Tokenizer LETTERS = new Tokenizer() {
        @Override
        public int[] encode(String text) {
            return text.chars().filter(c -> c != ' ').map(c -> c - 'a').toArray();
        }

        @Override
        public String decode(int... ids) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                sb.append((char) ('a' + id));
            }
            return sb.toString();
        }

        @Override
        public int vocabSize() {
            return 26;
        }

        @Override
        public String description() {
            return "letters";
        }
    };

    @Test
    void promptIdsPutTheBosFirstOnlyWhenGiven() {
        assertArrayEquals(new int[] {22, 2, 0, 1}, NextTokenPrediction.promptIds(LETTERS, "ca b", Optional.of(22)));
        assertArrayEquals(new int[] {2, 0, 1}, NextTokenPrediction.promptIds(LETTERS, "ca b", Optional.empty()));
        assertArrayEquals(new int[] {22}, NextTokenPrediction.promptIds(LETTERS, " ", Optional.of(22)),
                "a BOS alone is a prompt");
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> NextTokenPrediction.promptIds(LETTERS, " ", Optional.empty()));
        assertEquals("the prompt is empty after tokenization", e.getMessage());
    }

    @Test
    void topKRanksTheLastPositionsLogitsWithTheirSoftmaxProbabilities() {
        ModelWeights w = RandomWeights.dense(CONFIG, 31, 0.5);
        int[] ids = {3, 17, 0, 22, 9, 9, 4};
        DoubleTensor logits = new ReferenceTransformer(w).logits(new int[][] {ids});
        int last = ids.length - 1;
        double max = IntStream.range(0, 23).mapToDouble(i -> logits.get(0, last, i)).max().orElseThrow();
        double norm = IntStream.range(0, 23).mapToDouble(i -> Math.exp(logits.get(0, last, i) - max)).sum();
        List<Integer> ranking = IntStream.range(0, 23).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> logits.get(0, last, i)).reversed()).toList();
        try (HookedTransformer model = HookedTransformer.load(w)) {
            List<NextTokenPrediction.Candidate> top = NextTokenPrediction.topK(model, ids, 5);
            assertEquals(ranking.subList(0, 5), top.stream().map(NextTokenPrediction.Candidate::tokenId).toList());
            for (NextTokenPrediction.Candidate c : top) {
                assertEquals(logits.get(0, last, c.tokenId()), c.logit(), 1e-4, "logit of " + c.tokenId());
                assertEquals(Math.exp(logits.get(0, last, c.tokenId()) - max) / norm, c.probability(), 1e-5,
                        "probability of " + c.tokenId());
            }
            List<NextTokenPrediction.Candidate> all = NextTokenPrediction.topK(model, ids, 100);
            assertEquals(ranking, all.stream().map(NextTokenPrediction.Candidate::tokenId).toList(),
                    "k above the vocabulary gives the whole vocabulary");
            assertEquals(1.0, all.stream().mapToDouble(NextTokenPrediction.Candidate::probability).sum(), 1e-9);
        }
    }

    @Test
    void probabilitiesStayFiniteWhenTheLastPositionsLogitsDwarfTheEarlierOnes() {
        // No norm and every weight zero but two: the last position's residual stream is 1000 along axis 0, which
        // W_U turns into a logit of 1000 for id 5 there, while every earlier logit is 0. exp(1000) overflows a
        // double, so the softmax must be shifted by the maximum of the last position's own logits.
        ModelConfig noNorm = new ModelConfig(1, 4, 1, 4, null, 7, 4, null, null, true, "standard", 1e-5, null, "big");
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        ParameterLayout.of(noNorm).forEach((name, shape) -> tensors.put(name, FloatTensor.zeros(shape)));
        tensors.get("pos_embed.W_pos").data()[3 * 4] = 1000f;
        tensors.get("unembed.W_U").data()[5] = 1f;
        try (HookedTransformer model = HookedTransformer.load(new ModelWeights(noNorm, tensors))) {
            List<NextTokenPrediction.Candidate> top = NextTokenPrediction.topK(model, new int[] {1, 2, 3, 4}, 2);
            assertEquals(5, top.get(0).tokenId());
            assertEquals(1000.0, top.get(0).logit());
            assertEquals(1.0, top.get(0).probability(), 1e-12);
            assertEquals(0, top.get(1).tokenId(), "the rest tie at 0 and rank by id");
            assertEquals(0.0, top.get(1).probability(), "e^-1000 is below the smallest double");
        }
    }

    @Test
    void equalLogitsAreRankedByLowerIdFirst() {
        // With W_U zero the logits are b_U exactly, at every position.
        ModelWeights random = RandomWeights.dense(CONFIG, 32, 0.5);
        float[] bias = new float[23];
        bias[5] = 3f;
        bias[2] = 3f;
        bias[17] = 2f;
        bias[9] = 2f;
        bias[11] = 1f;
        Map<String, FloatTensor> tensors = new LinkedHashMap<>(random.tensors());
        tensors.put("unembed.W_U", FloatTensor.zeros(16, 23));
        tensors.put("unembed.b_U", new FloatTensor(bias, 23));
        try (HookedTransformer model = HookedTransformer.load(new ModelWeights(CONFIG, tensors))) {
            List<NextTokenPrediction.Candidate> top = NextTokenPrediction.topK(model, new int[] {1, 2, 3}, 6);
            assertEquals(List.of(2, 5, 9, 17, 11, 0), top.stream().map(NextTokenPrediction.Candidate::tokenId).toList());
            double norm = 2 * Math.exp(3) + 2 * Math.exp(2) + Math.exp(1) + 18;
            assertEquals(Math.exp(3) / norm, top.get(0).probability(), 1e-6);
            assertEquals(1 / norm, top.get(5).probability(), 1e-6);
        }
    }
}
