package io.circuitscope.wiki.render;

import io.circuitscope.wiki.ModelReport;
import io.circuitscope.wiki.SiteDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the head wiki for a set of model reports into a folder: every page and file is rendered in memory first
 * and the folder is then replaced as a whole, so a failed run leaves the previous wiki (or nothing) in place.
 */
public final class HeadWikiWriter {
    private HeadWikiWriter() {
    }

    /**
     * @param generated when the site was made, as the pages print it
     * @throws IllegalArgumentException if {@code out} exists and is neither empty nor an earlier wiki
     */
    public static void write(Path out, List<ModelReport> reports, String generated) throws IOException {
        SiteDirectory.write(out, new SiteRenderer().render(reports, generated));
    }
}
