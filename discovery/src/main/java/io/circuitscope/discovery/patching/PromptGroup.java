package io.circuitscope.discovery.patching;

import io.circuitscope.spi.TaskExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The examples of one prompt length, which run as one batch, with their answer entries flattened: entry i reads
 * position {@code flatPosition[i] % length} of example {@code flatPosition[i] / length}, and its weight makes each
 * example count equally in the task's metric, whatever its length or number of positions.
 */
final class PromptGroup {
    final int[][] clean;
    final int[][] corrupted;
    final long[] flatPosition;
    final int[] answer;
    final int[] distractor;
    final float[] weight;

    private PromptGroup(List<TaskExample> examples, int total) {
        int n = examples.size();
        int length = examples.get(0).clean().length;
        clean = new int[n][];
        corrupted = new int[n][];
        int entries = examples.stream().mapToInt(e -> e.positions().length).sum();
        flatPosition = new long[entries];
        answer = new int[entries];
        distractor = new int[entries];
        weight = new float[entries];
        int k = 0;
        for (int i = 0; i < n; i++) {
            TaskExample e = examples.get(i);
            clean[i] = e.clean();
            corrupted[i] = e.corrupted();
            int[] positions = e.positions();
            int[] answers = e.answers();
            int[] distractors = e.distractors();
            for (int j = 0; j < positions.length; j++) {
                flatPosition[k] = (long) i * length + positions[j];
                answer[k] = answers[j];
                distractor[k] = distractors[j];
                weight[k] = (float) (1.0 / ((double) positions.length * total));
                k++;
            }
        }
    }

    int size() {
        return clean.length;
    }

    int length() {
        return clean[0].length;
    }

    int entries() {
        return answer.length;
    }

    /** The examples grouped by length, shortest first, keeping their order within a length. */
    static List<PromptGroup> of(List<TaskExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("a task needs at least one example");
        }
        Map<Integer, List<TaskExample>> byLength = new TreeMap<>();
        for (TaskExample e : examples) {
            byLength.computeIfAbsent(e.clean().length, k -> new ArrayList<>()).add(e);
        }
        List<PromptGroup> out = new ArrayList<>();
        byLength.values().forEach(g -> out.add(new PromptGroup(g, examples.size())));
        return out;
    }
}
