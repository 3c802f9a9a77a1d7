/**
 * Stable contracts that plugin authors compile against: {@link io.circuitscope.spi.HeadDetector}, the
 * {@link io.circuitscope.spi.DetectionContext} it reads the model through, and the
 * {@link io.circuitscope.spi.HeadScores} it returns. Nothing here depends on an engine.
 */
package io.circuitscope.spi;
