package io.circuitscope.wiki;

import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.core.io.AtomicFileWriter;
import io.circuitscope.spi.HeadScores;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes {@code heads.csv} as DESIGN.md specifies: one row per head, columns {@code layer,head}, one score column per
 * detector that produced scores (in the given order), then {@code labels}, the ids of the detectors that labelled the
 * head joined by {@code ;}. Scores are plain decimals with six places, so equal inputs give byte-identical files.
 */
public final class HeadTableCsv {
    private HeadTableCsv() {
    }

    /** The table as text, with {@code \n} line endings. */
    public static String render(int layers, int heads, List<DetectorOutcome> outcomes) throws IOException {
        List<DetectorOutcome> scored = outcomes.stream().filter(o -> o.scores().isPresent()).toList();
        List<String> header = new ArrayList<>(List.of("layer", "head"));
        scored.forEach(o -> header.add(o.id()));
        header.add("labels");
        StringWriter text = new StringWriter();
        CSVFormat format = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').setHeader(header.toArray(String[]::new))
                .get();
        try (CSVPrinter csv = new CSVPrinter(text, format)) {
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    List<String> row = new ArrayList<>(List.of(Integer.toString(l), Integer.toString(h)));
                    List<String> labels = new ArrayList<>();
                    for (DetectorOutcome o : scored) {
                        HeadScores s = o.scores().orElseThrow();
                        row.add(plain(s.score(l, h)));
                        if (s.labelled(l, h)) {
                            labels.add(o.id());
                        }
                    }
                    row.add(String.join(";", labels));
                    csv.printRecord(row);
                }
            }
        }
        return text.toString();
    }

    /** Writes the table to {@code file} through a temporary file, so a failure leaves no partial table. */
    public static void write(Path file, int layers, int heads, List<DetectorOutcome> outcomes) throws IOException {
        byte[] bytes = render(layers, heads, outcomes).getBytes(StandardCharsets.UTF_8);
        AtomicFileWriter.writeBytes(file, bytes);
    }

    /** Six decimal places, never an exponent, and no negative zero. */
    static String plain(double v) {
        String s = BigDecimal.valueOf(v).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
        return s.equals("-0.000000") ? "0.000000" : s;
    }
}
