package io.circuitscope.detectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.core.analysis.DetectorRunner;
import io.circuitscope.core.analysis.EngineDetectionContext;
import io.circuitscope.core.analysis.ModelProbeSets;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.spi.HeadScores;
import io.circuitscope.spi.IoiProbe;
import io.circuitscope.spi.ModelRun;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The IOI detectors on zoo:toy-ioi. Its circuit is not the IOI paper's: two layer-2 heads attend from END to S2 and
 * suppress S through a negative OV circuit, and no head moves IO. The detectors must say so ("none found") rather than
 * call those heads name movers, and their evidence must point at the heads that matter.
 */
class ToyIoiDetectorsTest {
    @Test
    void noNameMoversAreClaimedAndTheEvidenceFindsTheSSuppressingHeads() {
        LoadedModel m = ModelSource.load("zoo:toy-ioi");
        try (HookedTransformer engine = HookedTransformer.load(m.parameters())) {
            Map<String, HeadScores> s = new HashMap<>();
            for (DetectorOutcome o : DetectorRunner.run(m, engine, PluginHost.builtIn().detectors(), 1, Map.of(), id -> { })) {
                s.put(o.id(), o.scores().orElseThrow());
            }
            assertEquals(List.of(), HandBuiltIoiDetectorsTest.labelled(s.get("name-mover")));
            assertEquals(List.of(), HandBuiltIoiDetectorsTest.labelled(s.get("negative-name-mover")));
            assertEquals("none found, so there is no query path to test", s.get("s-inhibition").settings()
                    .get("name_movers"));
            // The two heads with the largest direct effect on IO - S attend to S2 and write against it.
            HeadScores nm = s.get("name-mover");
            List<int[]> top = java.util.stream.IntStream.range(0, 24).mapToObj(i -> new int[] {i / 8, i % 8})
                    .sorted((a, b) -> Double.compare(nm.score(b[0], b[1]), nm.score(a[0], a[1]))).limit(2).toList();
            for (int[] h : top) {
                Map<String, Double> c = nm.evidence(h[0], h[1]).components();
                assertTrue(c.get("attn_end_to_s2") > 0.9, "a" + h[0] + ".h" + h[1] + " " + c);
                assertTrue(c.get("ov_copy_z_names") < 0, "a" + h[0] + ".h" + h[1] + " " + c);
            }
            // Mean-ablating those two heads together costs more than half of the logit difference.
            EngineDetectionContext ctx = new EngineDetectionContext(m, engine, new ModelProbeSets(m), 1, "check",
                    Map.of());
            IoiMeasurements ioi = new IoiMeasurements(ctx);
            ModelRun ablated = ctx.run(ioi.tokens, Set.of("logits"), ioi.meanAblation(top));
            double ld = 0;
            for (int b = 0; b < ioi.tokens.length; b++) {
                IoiProbe p = ioi.prompts.get(b);
                ld += (ablated.logits().get(b, p.endPos(), p.ioToken()) - ablated.logits().get(b, p.endPos(),
                        p.sToken())) / ioi.tokens.length;
            }
            assertTrue(ld < ioi.cleanLogitDiff / 2, "ablated " + ld + " vs clean " + ioi.cleanLogitDiff);
        }
    }
}
