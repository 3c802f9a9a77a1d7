package io.circuitscope.core;

/** An error caused by the user's input (a file, a flag, a model), whose message is complete enough to show as is. */
public class CircuitscopeException extends RuntimeException {
    public CircuitscopeException(String message) {
        super(message);
    }

    public CircuitscopeException(String message, Throwable cause) {
        super(message, cause);
    }
}
