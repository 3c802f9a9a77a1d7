package io.circuitscope.core.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.circuitscope.core.source.ModelSource;
import io.circuitscope.spi.DetectionContext;
import io.circuitscope.spi.IoiProbe;
import io.circuitscope.spi.ProbeSets;
import io.circuitscope.spi.TokenVocabulary;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Through the gate the tokenizer and probes answer as the host's do; once revoked, nothing answers. */
class RevocableContextTest {
    @Test
    void theGatedTokenizerAndProbesMatchTheHostsAndCloseOnRevoke() {
        var model = ModelSource.load("zoo:toy-ioi");
        DetectionContext host = new EngineDetectionContext(model, null, new ModelProbeSets(model), 3, "test",
                java.util.Map.of());
        RevocableContext gated = new RevocableContext(host);
        TokenVocabulary v = gated.vocabulary().orElseThrow();
        TokenVocabulary real = host.vocabulary().orElseThrow();
        assertArrayEquals(real.encode("Mary and John"), v.encode("Mary and John"));
        assertEquals(real.token(5), v.token(5));
        assertEquals(real.singleToken(" Mary"), v.singleToken(" Mary"));
        assertEquals(OptionalInt.empty(), v.singleToken("Zebrafish"));
        ProbeSets p = gated.probes();
        assertEquals(4, p.repeatedSegments(new SplittableRandom(1), 4, 12).size());
        List<IoiProbe> clean = p.ioiPrompts(new SplittableRandom(1), 4);
        assertEquals(host.probes().ioiPrompts(new SplittableRandom(1), 4).get(0).tokens().length,
                clean.get(0).tokens().length);
        assertEquals(4, p.ioiAbcCorruptions(clean, new SplittableRandom(2)).size());

        gated.revoke("the test is over");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> v.encode("Mary"));
        assertEquals("this detector's context was revoked: the test is over", e.getMessage());
        assertThrows(IllegalStateException.class, () -> p.nonRepeating(new SplittableRandom(1), 2, 8));
        assertThrows(IllegalStateException.class, gated::seed);
    }
}
