package io.circuitscope.core.zoo;

/**
 * Token sequences [batch][pos] and, per position, the id the model should predict next, or -1 where the loss
 * ignores the position.
 */
public record TrainingBatch(int[][] tokens, int[][] targets) {
}
