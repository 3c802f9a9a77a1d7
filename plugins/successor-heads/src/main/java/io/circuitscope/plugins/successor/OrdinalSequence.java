package io.circuitscope.plugins.successor;

import io.circuitscope.spi.TokenVocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * An ordered list of items each followed by its successor (Monday, Tuesday, ...), and how to find it in a model's
 * vocabulary: with a leading space (GPT-2's BPE spells a word inside a sentence that way) or without.
 */
record OrdinalSequence(String name, List<String> items) {
    /** The shortest run of consecutive items that still tests succession beyond a single pair. */
    static final int MIN_RUN = 3;

    static final List<OrdinalSequence> ALL = List.of(
            new OrdinalSequence("weekdays",
                    List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")),
            new OrdinalSequence("months", List.of("January", "February", "March", "April", "May", "June", "July",
                    "August", "September", "October", "November", "December")),
            new OrdinalSequence("numbers", IntStream.rangeClosed(1, 20).mapToObj(Integer::toString).toList()));

    /** The items as one sequence of single tokens in this vocabulary. */
    record Found(String name, String spelling, List<String> items, int[] tokens) {
    }

    /**
     * The longest run of consecutive items that are each one token, preferring the spelling with a leading space
     * when both give runs of equal length; empty when no run reaches {@value #MIN_RUN} items.
     */
    Optional<Found> in(TokenVocabulary vocabulary) {
        Found best = null;
        for (String prefix : List.of(" ", "")) {
            int start = 0;
            while (start < items.size()) {
                List<String> run = new ArrayList<>();
                List<Integer> ids = new ArrayList<>();
                int i = start;
                for (; i < items.size(); i++) {
                    OptionalInt id = vocabulary.singleToken(prefix + items.get(i));
                    if (id.isEmpty()) {
                        break;
                    }
                    run.add(items.get(i));
                    ids.add(id.getAsInt());
                }
                if (run.size() >= MIN_RUN && (best == null || run.size() > best.items().size())) {
                    best = new Found(name, prefix.isEmpty() ? "no leading space" : "leading space", run,
                            ids.stream().mapToInt(Integer::intValue).toArray());
                }
                start = i + 1;
            }
        }
        return Optional.ofNullable(best);
    }
}
