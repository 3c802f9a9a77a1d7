package io.circuitscope.core.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Starts DJL's PyTorch engine strictly offline: it must never try to download native libraries or report usage.
 */
public final class EngineBootstrap {
    private EngineBootstrap() {
    }

    /**
     * Sets the offline flags (unless the user set them) and returns the PyTorch engine.
     * DJL reads OPT_OUT_TRACKING from the environment or, failing that, from system properties, so a property suffices.
     */
    public static synchronized Engine pytorch() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.default_engine", "PyTorch");
        return Engine.getEngine("PyTorch");
    }

    /**
     * Runs {@code work} with libtorch limited to one intra-op thread, then restores the previous count. With several
     * threads, BLAS may split sums differently from run to run, and training must be bit-reproducible for a seed.
     */
    public static synchronized <T> T singleThreaded(Supplier<T> work) {
        pytorch();
        int previous = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        try {
            return work.get();
        } finally {
            JniUtils.setNumThreads(previous);
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
