package io.circuitscope.spi;

/**
 * An indirect-object-identification prompt in ids, with the positions of IO, S1, S2 and END (whose next token should
 * be IO), and the ids of the IO and S names.
 */
public record IoiProbe(int[] tokens, int ioPos, int s1Pos, int s2Pos, int endPos, int ioToken, int sToken) {
}
