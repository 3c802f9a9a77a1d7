package io.circuitscope.cli;

import java.util.List;

/** What one circuitscope invocation printed and returned, in-process or as a subprocess. */
record CommandRun(int code, String out, String err) {
    /** The non-blank lines on stderr. */
    List<String> errLines() {
        return err.lines().filter(l -> !l.isBlank()).toList();
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
}
