package io.circuitscope.core.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Starts DJL's PyTorch engine strictly offline: it must never try to download native libraries or report usage.
 */
public final class EngineBootstrap {
    /** Guards libtorch's global thread count, without blocking {@link #pytorch()} callers during training. */
    private static final Object THREAD_SETTING = new Object();

    private EngineBootstrap() {
    }

    /**
     * Sets DJL's offline flags unless the user set them; callable before any DJL class is loaded. DJL reads
     * OPT_OUT_TRACKING from the environment or, failing that, from system properties, so a property suffices.
     */
    public static void forceOffline() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.default_engine", "PyTorch");
    }

    /** Forces the offline flags and returns the PyTorch engine. */
    public static synchronized Engine pytorch() {
        forceOffline();
        return Engine.getEngine("PyTorch");
    }

    /**
     * Runs {@code work} with libtorch limited to one intra-op thread, then restores the previous count. With two
     * threads, BLAS split sums differently from run to run and same-seed training runs parted within 50 steps.
     */
    public static <T> T singleThreaded(Supplier<T> work) {
        pytorch();
        synchronized (THREAD_SETTING) {
            return withOneThread(work);
        }
    }

    private static <T> T withOneThread(Supplier<T> work) {
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
