package io.circuitscope.detectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.analysis.DetectorOutcome;
import io.circuitscope.core.analysis.DetectorRunner;
import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.spi.HeadScores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every built-in detector on {@link HandBuiltIoiModel}, whose heads' roles are known by construction. */
class HandBuiltIoiDetectorsTest {
    /**
     * Every detector's scores, with any problem under "problem:ID". Run inside each test rather than in a shared
     * setup, so that mutation testing sees what each test covers.
     */
    private static Map<String, HeadScores> detect(Map<String, String> problems) {
        LoadedModel m = HandBuiltIoiModel.build();
        Map<String, HeadScores> scores = new HashMap<>();
        try (HookedTransformer e = HookedTransformer.load(m.parameters())) {
            for (DetectorOutcome o : DetectorRunner.run(m, e, PluginHost.builtIn().detectors(), 1, Map.of(), id -> { })) {
                o.scores().ifPresent(s -> scores.put(o.id(), s));
                o.problem().ifPresent(p -> problems.put(o.id(), p));
            }
        }
        return scores;
    }

    static List<String> labelled(HeadScores s) {
        List<String> out = new ArrayList<>();
        for (int l = 0; l < s.layers(); l++) {
            for (int h = 0; h < s.heads(); h++) {
                if (s.labelled(l, h)) {
                    out.add("a" + l + ".h" + h);
                }
            }
        }
        return out;
    }

    @Test
    void everyDetectorRuns() {
        Map<String, String> problems = new HashMap<>();
        Map<String, HeadScores> scores = detect(problems);
        assertEquals(Map.of(), problems);
        assertEquals(7, scores.size());
    }

    @Test
    void eachHeadGetsTheRoleItWasBuiltFor() {
        Map<String, HeadScores> scores = detect(new HashMap<>());
        assertEquals(List.of("a0.h0"), labelled(scores.get("duplicate-token")));
        assertEquals(List.of("a1.h0"), labelled(scores.get("s-inhibition")));
        assertEquals(List.of("a2.h0"), labelled(scores.get("name-mover")));
        assertEquals(List.of("a2.h1"), labelled(scores.get("negative-name-mover")));
        assertEquals(List.of(), labelled(scores.get("previous-token")));
        assertEquals(List.of(), labelled(scores.get("induction")));
    }

    @Test
    void aModelWithoutBackupNameMoversGetsNoneAndSaysWhy() {
        Map<String, HeadScores> scores = detect(new HashMap<>());
        HeadScores backup = scores.get("backup-name-mover");
        assertEquals(List.of(), labelled(backup));
        assertEquals("a2.h0", backup.settings().get("name_movers"));
    }

    @Test
    void scoresMeasureWhatTheConstructionImplies() {
        Map<String, HeadScores> scores = detect(new HashMap<>());
        HeadScores nm = scores.get("name-mover");
        // The logit difference is 10 - 3 = 7: the name mover writes 10/7 of it, the negative one -3/7.
        assertEquals(7.0, Double.parseDouble(nm.settings().get("clean_logit_diff")), 0.05);
        assertEquals(10.0 / 7, nm.score(2, 0), 0.02);
        assertEquals(3.0 / 7, scores.get("negative-name-mover").score(2, 1), 0.02);
        assertTrue(nm.evidence(2, 0).components().get("attn_end_to_io") > 0.99);
        // Patching a1.h0's mean output into the name mover's queries blurs the S identity it reads, so its attention
        // moves from IO toward S1 and S2 (a third each at worst; the mean identity still weights this prompt's
        // names somewhat). Through its keys the same patch changes nothing.
        HeadScores si = scores.get("s-inhibition");
        assertTrue(si.score(1, 0) > 0.3, "query-path effect " + si.score(1, 0));
        assertEquals(0.0, si.control(1, 0), 1e-3);
        assertTrue(si.evidence(1, 0).components().get("attn_end_to_s2") > 0.99);
    }
}
