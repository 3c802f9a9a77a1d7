package io.circuitscope.wiki.render;

import java.util.List;

/** What one head's page shows; built by {@link HeadPages}. */
record HeadPage(String title, String model, String source, String name, List<String> labels, String prev,
                String next, List<ScoreRow> scores, List<PatternThumbnail> patterns, List<PairTable> pairs,
                List<Component> copying, List<PartnerTable> partners, List<CircuitEdges> circuits,
                String version) {

    /** Whether any detector measured OV copying. */
    boolean hasCopying() {
        return !copying.isEmpty();
    }

    /** One detector's verdict on the head. */
    record ScoreRow(String detector, String score, String control, String percentile, boolean labelled,
                    List<Component> components) {
    }

    /** A named number from a detector's evidence. */
    record Component(String detector, String name, String value) {
    }

    /** The token pairs one detector saw the head attend between most. */
    record PairTable(String detector, List<Pair> pairs) {
    }

    /** One attended pair. */
    record Pair(String query, String key, String weight, int occurrences) {
    }

    /** The head's strongest partners in one composition mode. */
    record PartnerTable(String mode, String baseline, List<Partner> partners) {
    }

    /** One partner: a head this one reads from, or one that reads this one. */
    record Partner(String direction, String head, String href, String score, String ratio) {
    }

    /** The head's edges in one task's circuit. */
    record CircuitEdges(String task, String status, List<EdgeRow> edges) {
        boolean hasEdges() {
            return !edges.isEmpty();
        }
    }

    /** One circuit edge at this head. */
    record EdgeRow(String name, String score, String role) {
    }
}
