package io.circuitscope.core.engine;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/** The most probable next tokens after a prompt, with their softmax probabilities. */
public final class NextTokenPrediction {
    private NextTokenPrediction() {
    }

    /** One predicted token with its logit and softmax probability. */
    public record Candidate(int tokenId, double logit, double probability) {
    }

    /** Tokenizes a prompt, optionally after a BOS id, failing clearly on empty text. */
    public static int[] promptIds(Tokenizer tokenizer, String text, Optional<Integer> bos) {
        int[] body = tokenizer.encode(text);
        if (body.length == 0 && bos.isEmpty()) {
            throw new CircuitscopeException("the prompt is empty after tokenization");
        }
        return bos.map(b -> IntStream.concat(IntStream.of(b), IntStream.of(body)).toArray()).orElse(body);
    }

    /** The k most probable next tokens, highest first; ties break by lower id so the order is deterministic. */
    public static List<Candidate> topK(HookedTransformer model, int[] ids, int k) {
        float[] logits = model.logitsOnHeap(new int[][] {ids}).data();
        int vocab = model.config().dVocab();
        int from = (ids.length - 1) * vocab;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[from + i]);
        }
        double norm = 0;
        for (int i = 0; i < vocab; i++) {
            norm += Math.exp(logits[from + i] - max);
        }
        List<Candidate> all = new ArrayList<>(vocab);
        for (int i = 0; i < vocab; i++) {
            all.add(new Candidate(i, logits[from + i], Math.exp(logits[from + i] - max) / norm));
        }
        all.sort(Comparator.comparingDouble(Candidate::logit).reversed().thenComparingInt(Candidate::tokenId));
        return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }
}
