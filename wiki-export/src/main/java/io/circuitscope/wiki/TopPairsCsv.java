package io.circuitscope.wiki;

import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.spi.AttendedPair;
import io.circuitscope.spi.HeadScores;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes {@code top-pairs.csv}: for every head and every detector that recorded them, the token pairs the head
 * attends between most, with ids, display text, mean weight and count. Token text is made spreadsheet-safe.
 */
public final class TopPairsCsv {
    static final String[] HEADER = {"layer", "head", "detector", "query_id", "key_id", "query_token", "key_token",
        "weight", "occurrences"};

    private TopPairsCsv() {
    }

    /** The table as text, with {@code \n} line endings. */
    public static String render(ModelReport report) throws IOException {
        StringWriter text = new StringWriter();
        CSVFormat format = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').setHeader(HEADER).get();
        try (CSVPrinter csv = new CSVPrinter(text, format)) {
            for (int l = 0; l < report.shape().nLayers(); l++) {
                for (int h = 0; h < report.shape().nHeads(); h++) {
                    for (DetectorOutcome o : report.scored()) {
                        HeadScores s = o.scores().orElseThrow();
                        for (AttendedPair p : s.evidence(l, h).topPairs()) {
                            csv.printRecord(List.of(Integer.toString(l), Integer.toString(h), o.id(),
                                    Integer.toString(p.queryToken()), Integer.toString(p.keyToken()),
                                    SpreadsheetSafeText.of(report.tokens().label(p.queryToken())),
                                    SpreadsheetSafeText.of(report.tokens().label(p.keyToken())),
                                    HeadTableCsv.plain(p.weight()), Integer.toString(p.occurrences())));
                        }
                    }
                }
            }
        }
        return text.toString();
    }
}
