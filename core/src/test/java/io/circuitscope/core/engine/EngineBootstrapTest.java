package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.pytorch.jni.JniUtils;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EngineBootstrapTest {
    private static final String[] FLAGS = {"ai.djl.offline", "OPT_OUT_TRACKING", "ai.djl.default_engine"};
    private final Map<String, String> saved = new HashMap<>();

    @BeforeEach
    void saveFlags() {
        for (String key : FLAGS) {
            saved.put(key, System.getProperty(key));
        }
    }

    @AfterEach
    void restoreFlags() {
        saved.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }

    @Test
    void forceOfflineSetsEveryMissingFlagAndKeepsTheUsersOwn() {
        System.clearProperty("ai.djl.offline");
        System.clearProperty("ai.djl.default_engine");
        System.setProperty("OPT_OUT_TRACKING", "yes");
        EngineBootstrap.forceOffline();
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("PyTorch", System.getProperty("ai.djl.default_engine"));
        assertEquals("yes", System.getProperty("OPT_OUT_TRACKING"), "a value the user set is left alone");

        System.clearProperty("OPT_OUT_TRACKING");
        EngineBootstrap.forceOffline();
        assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
    }

    @Test
    void theEngineIsOnlyHandedOutWithTheOfflineFlagsSet() {
        for (String key : FLAGS) {
            System.clearProperty(key);
        }
        assertEquals("PyTorch", EngineBootstrap.pytorch().getEngineName());
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
    }

    @Test
    void singleThreadedRunsOnOneThreadAndRestoresTheCount() {
        EngineBootstrap.pytorch();
        int original = JniUtils.getNumThreads();
        try {
            JniUtils.setNumThreads(3);
            assertEquals(1, EngineBootstrap.singleThreaded(JniUtils::getNumThreads));
            assertEquals(3, JniUtils.getNumThreads(), "restored after the work");
            assertThrows(IllegalStateException.class, () -> EngineBootstrap.singleThreaded(() -> {
                throw new IllegalStateException("work failed");
            }));
            assertEquals(3, JniUtils.getNumThreads(), "restored when the work throws");
        } finally {
            JniUtils.setNumThreads(original);
        }
    }
}
