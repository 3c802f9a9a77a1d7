package io.circuitscope.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RunOptionsTest {

    @Test
    void patchesAndCachesOnlyWhatWasAskedFor() {
        ActivationPatch half = a -> a.mul(0.5);
        RunOptions options = RunOptions.builder()
                .cache(HookNames.z(0))
                .patch(HookNames.result(1), half)
                .cacheMatching(n -> n.endsWith("hook_pattern"))
                .build();
        assertTrue(options.patches(HookNames.result(1)));
        assertSame(half, options.patch(HookNames.result(1)));
        assertFalse(options.patches(HookNames.result(0)), "another layer's hook is not patched");
        assertNull(options.patch(HookNames.z(0)), "a cached hook is not patched");

        assertTrue(options.caches(HookNames.z(0)));
        assertTrue(options.caches(HookNames.pattern(2)), "matched by the predicate");
        assertFalse(options.caches(HookNames.result(1)), "patching a hook does not cache it");
        assertEquals(Set.of(HookNames.z(0), HookNames.result(1)), options.namedHooks(),
                "named hooks are those named explicitly, not those a predicate matches");
    }

    @Test
    void noneCachesAndPatchesNothingAndCacheAllCachesEverything() {
        assertFalse(RunOptions.none().caches(HookNames.EMBED));
        assertFalse(RunOptions.none().patches(HookNames.EMBED));
        assertTrue(RunOptions.none().namedHooks().isEmpty());
        assertTrue(RunOptions.cacheAll().caches(HookNames.residPost(5)));
        assertFalse(RunOptions.cacheAll().patches(HookNames.residPost(5)));
    }
}
