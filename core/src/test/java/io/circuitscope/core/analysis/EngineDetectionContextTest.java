package io.circuitscope.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.source.LoadedModel;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EngineDetectionContextTest {

    /** Detectors see TransformerLens's normalization_type spellings, and "none" for a model without norms. */
    @ParameterizedTest
    @CsvSource(value = {"LN,LN", "LNPre,LNPre", "RMS,RMS", "RMSPre,RMSPre", "NULL,none"}, nullValues = "NULL")
    void theShapeNamesTheNormalizationAsTransformerLensDoes(String normalization, String expected) {
        ModelConfig c = new ModelConfig(1, 8, 2, 4, 16, 11, 8, "gelu", normalization, false, "standard", 1e-5, 3, "n");
        LoadedModel model = new LoadedModel("n", RandomWeights.dense(c, 1, 0.1), Optional.empty(), Optional.empty());
        assertEquals(expected, EngineDetectionContext.shapeOf(model).normalization());
        assertEquals(3, EngineDetectionContext.shapeOf(model).bosTokenId());
    }
}
