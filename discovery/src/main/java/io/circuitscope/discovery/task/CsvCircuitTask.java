package io.circuitscope.discovery.task;

import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.ProbeUnavailableException;
import io.circuitscope.spi.TaskContext;
import io.circuitscope.spi.TaskExample;
import io.circuitscope.spi.TokenVocabulary;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A user's own behaviour from a CSV file with the header {@code clean,corrupted,answer,distractor}: each row's clean
 * prompt should be continued by {@code answer} rather than {@code distractor} (each one token, written as it appears
 * after the prompt, e.g. " Paris"), and its corrupted twin must tokenise to the same length. The behaviour is read at
 * the prompt's last position; rows may differ in length. Every row is used, whatever {@code --examples} says.
 */
public final class CsvCircuitTask implements CircuitTask {
    private final Path file;

    public CsvCircuitTask(Path file) {
        this.file = file;
    }

    @Override
    public String id() {
        return file.getFileName().toString();
    }

    @Override
    public String description() {
        return "prompts from " + file;
    }

    @Override
    public String defaultMetric() {
        return "logit-diff";
    }

    @Override
    public List<TaskExample> examples(TaskContext context) {
        TokenVocabulary vocab = context.vocabulary().orElseThrow(() -> new ProbeUnavailableException(
                "the model has no tokenizer, so the text prompts of " + file + " cannot be encoded"));
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        List<TaskExample> out = new ArrayList<>();
        try (Reader in = withoutByteOrderMark(Files.newBufferedReader(file, StandardCharsets.UTF_8));
             CSVParser parser = CSVParser.parse(in, format)) {
            List<String> missing = new ArrayList<>(List.of("clean", "corrupted", "answer", "distractor"));
            missing.removeAll(parser.getHeaderNames());
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(file + ": the header lacks the column(s) " + missing
                        + "; it must name clean,corrupted,answer,distractor");
            }
            for (CSVRecord row : parser) {
                out.add(example(context, vocab, row));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " has no rows after its header");
        }
        return out;
    }

    /** Spreadsheet programs start UTF-8 CSV files with a byte order mark, which would glue itself to "clean". */
    private static Reader withoutByteOrderMark(java.io.BufferedReader in) throws IOException {
        in.mark(1);
        if (in.read() != '\uFEFF') {
            in.reset();
        }
        return in;
    }

    private TaskExample example(TaskContext context, TokenVocabulary vocab, CSVRecord row) {
        String where = file + " row " + row.getRecordNumber() + " (line " + row.getParser().getCurrentLineNumber()
                + ")";
        if (!row.isConsistent()) {
            throw new IllegalArgumentException(where + " has " + row.size() + " cells, the header "
                    + row.getParser().getHeaderNames().size());
        }
        int[] clean = encode(context, vocab, row.get("clean"));
        int[] corrupted = encode(context, vocab, row.get("corrupted"));
        if (clean.length != corrupted.length) {
            throw new IllegalArgumentException(where + ": the clean prompt is " + clean.length
                    + " tokens and the corrupted one " + corrupted.length + "; they must be equally long");
        }
        if (clean.length > context.shape().nCtx()) {
            throw new IllegalArgumentException(where + ": " + clean.length + " tokens exceed the model's context of "
                    + context.shape().nCtx());
        }
        return new TaskExample(clean, corrupted, new int[] {clean.length - 1},
                new int[] {single(vocab, row.get("answer"), where, "answer")},
                new int[] {single(vocab, row.get("distractor"), where, "distractor")});
    }

    private static int[] encode(TaskContext context, TokenVocabulary vocab, String text) {
        int[] ids = vocab.encode(text);
        if (!context.shape().hasBos()) {
            return ids;
        }
        int[] withBos = new int[ids.length + 1];
        withBos[0] = context.shape().bosTokenId();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    private static int single(TokenVocabulary vocab, String text, String where, String column) {
        OptionalInt id = vocab.singleToken(text);
        if (id.isEmpty()) {
            throw new IllegalArgumentException(where + ": the " + column + " '" + text + "' is not a single token"
                    + " (it encodes to " + vocab.encode(text).length + " tokens)");
        }
        return id.getAsInt();
    }
}
