package io.circuitscope.spi;

/** One query token attending to one key token, with the attention weight averaged over where the pair occurred. */
public record AttendedPair(int queryToken, int keyToken, double weight, int occurrences) {
}
