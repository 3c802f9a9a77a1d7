package io.circuitscope.core.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.model.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ZooTrainerTest {

    @Test
    void aShortRunLowersTheLoss() {
        List<Double> losses = new ArrayList<>();
        ZooTrainer.Result r = ZooTrainer.train(new IoiTask(), 40, 5, (step, loss) -> losses.add(loss));
        assertTrue(losses.size() == 40, "one loss per step");
        double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(35, 40).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < first - 0.5, "loss should fall: first steps " + first + ", last steps " + last);
        assertTrue(Double.isFinite(r.finalLoss()));
        assertFalse(r.evaluation().metrics().isEmpty(), "a run is evaluated on held-out data");
    }

    @Test
    void theSameSeedGivesBitIdenticalWeightsAndAnotherSeedDoesNot() {
        ZooTrainer.Result a = ZooTrainer.train(new InductionTask(), 12, 9, TrainingListener.SILENT);
        ZooTrainer.Result b = ZooTrainer.train(new InductionTask(), 12, 9, TrainingListener.SILENT);
        ZooTrainer.Result c = ZooTrainer.train(new InductionTask(), 12, 10, TrainingListener.SILENT);
        boolean anyDifferent = false;
        for (Map.Entry<String, FloatTensor> e : a.weights().tensors().entrySet()) {
            assertArrayEquals(e.getValue().data(), b.weights().get(e.getKey()).data(), e.getKey());
            anyDifferent |= !Arrays.equals(e.getValue().data(), c.weights().get(e.getKey()).data());
        }
        assertTrue(anyDifferent, "a different seed trains a different model");
        assertTrue(a.finalLoss() == b.finalLoss());
    }
}
