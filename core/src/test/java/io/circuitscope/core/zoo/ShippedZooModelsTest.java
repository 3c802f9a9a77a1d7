package io.circuitscope.core.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The models shipped as zoo:NAME meet their task thresholds when evaluated here; CI evaluates, never retrains. */
class ShippedZooModelsTest {

    static Stream<Arguments> shipped() {
        return Stream.of(Arguments.of("toy-induction", new InductionTask()), Arguments.of("toy-ioi", new IoiTask()));
    }

    @ParameterizedTest
    @MethodSource("shipped")
    void meetsItsThresholdsAndItsCardTellsTheTruth(String name, ZooTask task) throws Exception {
        LoadedModel m = ModelSource.load("zoo:" + name);
        assertEquals(task.architecture(), m.weights().config(), "shipped architecture is the task's");
        TaskEvaluation eval;
        try (HookedTransformer model = HookedTransformer.load(m.weights())) {
            eval = task.evaluate(model);
        }
        assertTrue(eval.passed(), name + " below threshold: " + eval.metrics() + " vs " + eval.thresholds());
        JsonNode card = m.modelCard().orElseThrow();
        for (Map.Entry<String, Double> metric : eval.metrics().entrySet()) {
            assertEquals(metric.getValue(), card.path("metrics").path(metric.getKey()).asDouble(), 1e-6,
                    "card metric " + metric.getKey() + " matches a fresh evaluation");
        }
        for (String field : List.of("task", "architecture", "seed", "steps", "final_loss", "metrics",
                "training_seconds", "data_format", "reproduce")) {
            assertTrue(card.has(field), "model card has " + field);
        }
        assertEquals(task.name(), card.path("task").asText());
        assertTrue(card.path("meets_thresholds").asBoolean());
        assertEquals(task.architecture().bosTokenId().intValue(), card.path("data_format").path("bos_token_id").asInt());
        assertEquals(m.bosTokenId().orElseThrow(), task.architecture().bosTokenId());
    }

    @ParameterizedTest
    @MethodSource("shipped")
    void eachShippedModelIsAtMostFourMegabytes(String name, ZooTask task) throws Exception {
        long bytes = ZooCatalog.withExtracted(name, dir -> {
            try (Stream<java.nio.file.Path> files = Files.list(dir)) {
                return files.mapToLong(p -> p.toFile().length()).sum();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(bytes <= 4L * 1024 * 1024, name + " is " + bytes + " bytes");
    }

    @ParameterizedTest
    @MethodSource("shipped")
    void theIoiCardListsNamesAndMarksHeldOutTemplates(String name, ZooTask task) throws Exception {
        JsonNode format = ModelSource.load("zoo:" + name).modelCard().orElseThrow().path("data_format");
        if (task instanceof IoiTask) {
            assertTrue(format.path("names").size() >= 30, "at least 30 names");
            long heldOut = 0;
            for (JsonNode t : format.path("templates")) {
                heldOut += t.path("held_out").asBoolean() ? 1 : 0;
            }
            assertEquals(13, heldOut);
            assertTrue(format.path("templates").size() - heldOut >= 15, "at least 15 training templates");
            assertTrue(format.path("held_out_name_pairs").size() > 0);
            long breaking = 0;
            long breakingHeldOut = 0;
            for (JsonNode t : format.path("templates")) {
                boolean shortcutFails = !t.path("s2_is_last_name_before_end").asBoolean(true);
                breaking += shortcutFails ? 1 : 0;
                breakingHeldOut += shortcutFails && t.path("held_out").asBoolean() ? 1 : 0;
            }
            assertTrue(breaking >= 8 && breakingHeldOut >= 3, "templates where S2 is not the last name: " + breaking);
            for (String stated : List.of("bos_placement", "tokenization", "evaluation")) {
                assertTrue(format.hasNonNull(stated), "the card states " + stated);
            }
        } else {
            assertTrue(format.has("token_ids") && format.has("sequence_length"));
            // The card's data format is exactly what the code trains and evaluates with.
            assertEquals(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(task.dataFormat()), format);
            JsonNode metrics = ModelSource.load("zoo:" + name).modelCard().orElseThrow().path("metrics");
            for (int band = 0; band < 64; band += 8) {
                String key = String.format(java.util.Locale.ROOT, "keys_%02d_%02d_top1_accuracy", band, band + 7);
                assertTrue(metrics.path(key).asDouble() >= 0.95, key + " " + metrics.path(key));
            }
        }
    }
}
