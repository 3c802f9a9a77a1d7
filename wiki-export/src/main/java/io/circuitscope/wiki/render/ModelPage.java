package io.circuitscope.wiki.render;

import io.circuitscope.core.plugin.ExtensionOrigin;
import java.util.List;

/** What one model's page shows; built by {@link ModelPages}. */
record ModelPage(String title, String slug, String source, String architecture, List<Count> labelCounts,
                 List<String> problems, List<Heatmap> heatmaps, List<String> detectorIds, List<Row> rows,
                 List<CircuitSection> circuits, List<Setting> provenance, List<Setting> timings,
                 List<DetectorSettings> detectorSettings, String version) {

    /** How many heads one detector labelled. */
    record Count(String detector, int heads, String summary, String origin) {
        boolean found() {
            return heads > 0;
        }

        /** True for a detector from a plugin jar, whose origin the page names. */
        boolean plugin() {
            return !origin.equals(ExtensionOrigin.BUILT_IN.label());
        }
    }

    /** One head's row in the sortable table. */
    record Row(String name, String href, int layer, int head, List<ScoreCell> cells, String labels,
               String inCircuits) {
    }

    /** One score in the table, with its sort key. */
    record ScoreCell(String text, String sort, boolean labelled) {
    }

    /** One task's circuit. */
    record CircuitSection(String task, String description, String problem, CircuitDrawing drawing,
                          CurveChart curve, String summary, String method, String jsonFile, String dotFile,
                          List<String> prompts) {
        boolean hasPrompts() {
            return !prompts.isEmpty();
        }
    }

    /** A name and a value for the provenance. */
    record Setting(String name, String value) {
    }

    /** The settings one detector recorded. */
    record DetectorSettings(String detector, List<Setting> settings) {
    }
}
