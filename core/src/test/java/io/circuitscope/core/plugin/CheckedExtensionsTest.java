package io.circuitscope.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.circuitscope.spi.CircuitTask;
import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.HeadDetector;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.ModelShape;
import io.circuitscope.spi.TaskContext;
import io.circuitscope.spi.TaskExample;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a host hands out answers from what the plugin said once, and passes the real work through. */
class CheckedExtensionsTest {
    private static final ModelShape SHAPE = new ModelShape(1, 2, 8, 4, 10, 8, 0, true, "LN");

    @Test
    void aDetectorIsAskedForItsDescriptionOnceAndDetectsThroughThePlugin() {
        AtomicInteger asked = new AtomicInteger();
        HeadScores result = HeadScores.builder(SHAPE).build();
        HeadDetector plugin = new HeadDetector() {
            @Override
            public String id() {
                asked.incrementAndGet();
                return "counted";
            }

            @Override
            public String description() {
                asked.incrementAndGet();
                return "counts its calls";
            }

            @Override
            public Map<String, String> options() {
                asked.incrementAndGet();
                return Map.of("k", "a setting");
            }

            @Override
            public HeadScores detect(DetectionContext context) {
                return result;
            }
        };
        ExtensionCatalog catalog = new ExtensionCatalog();
        catalog.addDetector(plugin, ExtensionOrigin.plugin("p", "1"), "p.jar");
        HeadDetector d = catalog.detectors().get(0).extension();
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of("counted", "counts its calls", Map.of("k", "a setting")),
                    List.of(d.id(), d.description(), d.options()));
        }
        assertEquals(3, asked.get());
        assertSame(result, d.detect(new ShapeOnlyContext(SHAPE)));
    }

    @Test
    void aTaskKeepsItsMetricAndDrawsExamplesThroughThePlugin() {
        List<TaskExample> examples = List.of();
        CircuitTask plugin = new CircuitTask() {
            @Override
            public String id() {
                return "t";
            }

            @Override
            public String description() {
                return "a task";
            }

            @Override
            public String defaultMetric() {
                return "logit-diff";
            }

            @Override
            public Map<String, String> options() {
                return Map.of("n", "how many");
            }

            @Override
            public List<TaskExample> examples(TaskContext context) {
                return examples;
            }
        };
        ExtensionCatalog catalog = new ExtensionCatalog();
        catalog.addTask(plugin, ExtensionOrigin.BUILT_IN, "built-in");
        CircuitTask t = catalog.tasks().get(0).extension();
        assertEquals(List.of("t", "a task", "logit-diff", Map.of("n", "how many")),
                List.of(t.id(), t.description(), t.defaultMetric(), t.options()));
        assertSame(examples, t.examples(null));
    }

    @Test
    void anExceptionWhoseMessageFailsIsStillDescribed() {
        RuntimeException sly = new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException();
            }
        };
        assertEquals("(its message could not be read: UnsupportedOperationException)", FailureText.messageOf(sly));
        assertEquals("java.lang.IllegalArgumentException: bad", FailureText.of(new IllegalArgumentException("bad")));
        assertEquals("IllegalArgumentException: bad", FailureText.of(new IllegalArgumentException("bad"), true));
    }
}
