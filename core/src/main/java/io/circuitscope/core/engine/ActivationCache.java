package io.circuitscope.core.engine;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Activations recorded by one forward pass, keyed by hook name and owned by the caller's NDManager. */
public final class ActivationCache {
    private final Map<String, NDArray> values;

    ActivationCache(Map<String, NDArray> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The cached hook names in forward order. */
    public Set<String> names() {
        return values.keySet();
    }

    public boolean contains(String hookName) {
        return values.containsKey(hookName);
    }

    /** The sum of the activations at several hook points of one shape, e.g. {@link HookNames#embeddings}. */
    public NDArray sum(java.util.List<String> hookNames) {
        NDArray total = get(hookNames.get(0));
        for (String name : hookNames.subList(1, hookNames.size())) {
            total = total.add(get(name));
        }
        return total;
    }

    /** The activation at a hook point, failing with the list of cached names when it was not cached. */
    public NDArray get(String hookName) {
        NDArray v = values.get(hookName);
        if (v == null) {
            throw new IllegalArgumentException("hook " + hookName + " was not cached; cached: " + values.keySet());
        }
        return v;
    }
}
