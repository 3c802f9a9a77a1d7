package io.circuitscope.core.plugin;

/**
 * One line describing an exception that plugin code threw, {@code ClassName: message}. The message is plugin code
 * too and may itself fail, so reading it can never throw.
 */
public final class FailureText {
    private FailureText() {
    }

    /** {@code java.lang.IllegalStateException: boom}, with the simple class name when {@code simple}. */
    public static String of(Throwable e, boolean simple) {
        String name = simple ? e.getClass().getSimpleName() : e.getClass().getName();
        return name + ": " + messageOf(e);
    }

    /** With the fully qualified class name. */
    public static String of(Throwable e) {
        return of(e, false);
    }

    /** The exception's message, or why it could not be read. */
    public static String messageOf(Throwable e) {
        try {
            return String.valueOf(e.getMessage());
        } catch (RuntimeException | Error broken) {
            return "(its message could not be read: " + broken.getClass().getSimpleName() + ")";
        }
    }
}
