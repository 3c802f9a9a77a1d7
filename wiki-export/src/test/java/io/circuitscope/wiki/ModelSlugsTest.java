package io.circuitscope.wiki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSlugsTest {
    @Test
    void zooNamesAndFolderNamesBecomeSafeUniqueSlugs() {
        assertEquals(List.of("toy-ioi", "gpt2", "my-model-v2", "gpt2-2", "model", "Toy-IOI-2"),
                ModelSlugs.of(List.of("zoo:toy-ioi", "/models/gpt2/", "runs/my model<v2>", "other/gpt2", "zoo:..",
                        "zoo:Toy-IOI")));
        assertEquals(List.of("a", "a-2", "a-3", "model"), ModelSlugs.of(List.of("zoo:a", "zoo:a", "zoo:a", "/")));
    }
}
