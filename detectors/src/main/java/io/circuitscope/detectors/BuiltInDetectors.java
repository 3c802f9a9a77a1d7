package io.circuitscope.detectors;

import io.circuitscope.spi.HeadDetector;
import java.util.List;

/** The detectors that ship with circuitscope, in the order their columns appear in {@code heads.csv}. */
public final class BuiltInDetectors {
    private BuiltInDetectors() {
    }

    /** Fresh instances of every built-in detector. */
    public static List<HeadDetector> all() {
        return List.of(new PreviousTokenDetector(), new DuplicateTokenDetector(), new InductionDetector(),
                new NameMoverDetector(), new NegativeNameMoverDetector(), new SInhibitionDetector(),
                new BackupNameMoverDetector());
    }
}
