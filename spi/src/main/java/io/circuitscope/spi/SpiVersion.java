package io.circuitscope.spi;

/**
 * The version of these contracts, which a plugin's {@code Plugin-Requires} is checked against: a plugin built for
 * {@code >=0.1.0 & <0.2.0} loads into every circuitscope whose spi is 0.1.x.
 */
public final class SpiVersion {
    /** Bumped in its minor part whenever a contract here changes incompatibly. */
    public static final String CURRENT = "0.1.0";

    private SpiVersion() {
    }
}
