package io.circuitscope.spi;

/** Says, in a sentence a user can act on, why a model cannot serve a detector's probes. */
public class ProbeUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProbeUnavailableException(String message) {
        super(message);
    }
}
