package io.circuitscope.core.zoo;

/** Receives the training loss after every optimiser step, for progress display. */
@FunctionalInterface
public interface TrainingListener {
    TrainingListener SILENT = (step, loss) -> { };

    void onStep(int step, double loss);
}
