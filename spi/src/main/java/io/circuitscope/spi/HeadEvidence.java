package io.circuitscope.spi;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What stands behind one head's score: the components it is made of, the token pairs the head attends between most,
 * and free-form notes for the wiki. Maps are copied into key order so output is deterministic.
 */
public record HeadEvidence(Map<String, Double> components, List<AttendedPair> topPairs, Map<String, String> notes) {
    public HeadEvidence {
        components = java.util.Collections.unmodifiableMap(new TreeMap<>(components));
        topPairs = List.copyOf(topPairs);
        notes = java.util.Collections.unmodifiableMap(new TreeMap<>(notes));
    }

    public static HeadEvidence of(Map<String, Double> components) {
        return new HeadEvidence(components, List.of(), Map.of());
    }
}
