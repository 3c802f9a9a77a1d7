package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActivationCacheTest {

    @Test
    void looksUpCachedHooksAndNamesTheCachedOnesWhenAHookIsMissing() {
        try (NDManager manager = EngineBootstrap.pytorch().newBaseManager()) {
            Map<String, NDArray> values = new LinkedHashMap<>();
            NDArray embed = manager.ones(new ai.djl.ndarray.types.Shape(1, 2, 3));
            NDArray z = manager.zeros(new ai.djl.ndarray.types.Shape(1, 2, 1, 3));
            values.put(HookNames.EMBED, embed);
            values.put(HookNames.z(0), z);
            ActivationCache cache = new ActivationCache(values);
            values.clear();

            assertEquals(List.of(HookNames.EMBED, HookNames.z(0)), List.copyOf(cache.names()), "forward order");
            assertTrue(cache.contains(HookNames.z(0)));
            assertFalse(cache.contains(HookNames.z(1)));
            assertSame(embed, cache.get(HookNames.EMBED));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cache.get(HookNames.pattern(0)));
            assertEquals("hook blocks.0.attn.hook_pattern was not cached; cached: [hook_embed, blocks.0.attn.hook_z]",
                    e.getMessage());
        }
    }
}
