package io.circuitscope.cli;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.engine.EngineBootstrap;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;

/** The {@code circuitscope} entry point: forces the engine offline, runs one command and maps errors to exit codes. */
public final class CircuitscopeLauncher {
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    private CircuitscopeLauncher() {
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line and returns its exit code: 0 success, 1 failure, 2 usage error. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        // Must precede the first DJL class load: without them DJL probes the network for libraries and telemetry.
        EngineBootstrap.forceOffline();
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine cl = new CommandLine(new CircuitscopeCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine failed = ex.getCommandLine();
            err.println("error: " + ex.getMessage() + " (see '" + failed.getCommandSpec().qualifiedName()
                    + " --help')");
            err.flush();
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (debug) {
                ex.printStackTrace(err);
            }
            err.println("error: " + describe(ex));
            err.flush();
            return EXIT_FAILURE;
        });
        return cl.execute(args);
    }

    private static String describe(Throwable ex) {
        if (ex instanceof CircuitscopeException) {
            return ex.getMessage();
        }
        String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        return msg + " (" + ex.getClass().getSimpleName() + "; rerun with --debug for the stack trace)";
    }
}
