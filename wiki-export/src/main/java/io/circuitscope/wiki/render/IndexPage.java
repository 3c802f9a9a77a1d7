package io.circuitscope.wiki.render;

import java.util.List;

/** The site's front page: every model with its head-label counts and circuit sizes at a glance. */
record IndexPage(String title, String version, String generated, List<ModelRow> models,
                 List<String> pluginsSkipped) {

    /** True when some plugin jar or extension could not be loaded, so the page lists them. */
    boolean anyPluginSkipped() {
        return !pluginsSkipped.isEmpty();
    }

    /** One model. */
    record ModelRow(String slug, String href, String source, String architecture, int heads,
                    List<ModelPage.Count> labels, List<CircuitSize> circuits, List<String> problems) {
    }

    /** One task's circuit size, or why there is none. */
    record CircuitSize(String task, String text) {
    }
}
