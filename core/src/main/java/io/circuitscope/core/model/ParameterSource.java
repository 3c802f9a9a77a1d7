package io.circuitscope.core.model;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/** A model's config and a way to stream its parameters, as often as needed, checking them as they are read. */
public interface ParameterSource {
    ModelConfig config();

    /**
     * Hands every parameter the config needs to {@code sink}, each exactly once.
     *
     * @throws io.circuitscope.core.CircuitscopeException if the stored parameters turn out to be damaged
     */
    void streamTo(ParameterSink sink);

    /** A source with a fixed config whose parameters {@code stream} hands to each sink it is given. */
    static ParameterSource of(ModelConfig config, Consumer<ParameterSink> stream) {
        return new ParameterSource() {
            @Override
            public ModelConfig config() {
                return config;
            }

            @Override
            public void streamTo(ParameterSink sink) {
                stream.accept(sink);
            }
        };
    }

    /**
     * Streams every parameter once, so that damaged data is reported, and counts their values; a tied parameter
     * counts like any other, as TransformerLens's state dict holds it separately.
     */
    default long verifiedParameterCount() {
        long[] count = {0};
        Map<String, Long> sizes = new HashMap<>();
        streamTo(new ParameterSink() {
            @Override
            public void accept(String name, FloatTensor value) {
                sizes.put(name, value.size());
                count[0] += value.size();
            }

            @Override
            public void acceptTranspose(String name, String of) {
                count[0] += sizes.getOrDefault(of, 0L);
            }
        });
        return count[0];
    }
}
