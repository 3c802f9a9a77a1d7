package io.circuitscope.wiki;

import io.circuitscope.core.analysis.DetectorRunner;
import io.circuitscope.core.checkpoint.NativeCheckpoint;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.plugin.PluginHost;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.source.ModelSource;
import io.circuitscope.core.tokenizer.WordLevelTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reports of real models for the wiki tests, and a model whose vocabulary is made of markup and formulas. */
public final class WikiFixtures {
    /**
     * Tokens a page or a spreadsheet would run if they were not escaped. A word-level vocabulary holds no whitespace,
     * so the img payload uses the slash separators browsers accept in its place.
     */
    public static final List<String> HOSTILE = List.of("<script>alert(1)</script>",
            "\"><img/src=x/onerror=alert(1)>", "=HYPERLINK(\"http://x\")", "+SUM(A1)", "@cmd", "-2+3");

    private WikiFixtures() {
    }

    /** Runs every built-in detector and the model's tasks, as {@code circuitscope wiki} does. */
    public static ModelReport report(String source, String slug, long seed) {
        LoadedModel m = ModelSource.load(source);
        try (PluginHost builtIn = PluginHost.builtIn()) {
            return ModelAnalysis.analyse(slug, m, builtIn.detectors(), WikiTasks.forModel(m, builtIn.tasks()),
                    new WikiSettings(seed, Optional.empty(), 8, "test", DetectorRunner.DEFAULT_TIME_LIMIT, Map.of(),
                            List.of()),
                    WikiProgress.NONE);
        }
    }

    /**
     * Writes a small random native model whose every token is one of {@link #HOSTILE} with a number after it, so
     * every probe prompt and every attended pair shows hostile text.
     */
    public static Path hostileModel(Path dir) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            tokens.add(HOSTILE.get(i % HOSTILE.size()) + i);
        }
        ModelConfig cfg = new ModelConfig(2, 16, 2, 8, null, tokens.size(), 24, "gelu_new", "LN", true, "standard",
                1e-5, null, "hostile");
        NativeCheckpoint.write(dir, RandomWeights.dense(cfg, 5, 0.5));
        new WordLevelTokenizer(tokens).write(dir.resolve("vocab.txt"));
        return dir;
    }
}
