package io.circuitscope.core.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The native tokenizers a test opens, each closed after the test, so that no handle outlives it. */
final class OpenedTokenizers implements AfterEachCallback {
    private final List<TokenizerJsonTokenizer> opened = new ArrayList<>();

    /** Keeps {@code tokenizer} to close after the test, and returns it. */
    TokenizerJsonTokenizer keep(TokenizerJsonTokenizer tokenizer) {
        opened.add(tokenizer);
        return tokenizer;
    }

    /** The byte-level fixture, changed by {@code change}, written into {@code dir} and read for a model of maxVocab. */
    TokenizerJsonTokenizer read(Path dir, Consumer<ObjectNode> change, int maxVocab) throws IOException {
        return keep(TokenizerJsonTokenizer.read(ByteLevelFixture.writeTokenizerJson(dir, change), maxVocab));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        opened.forEach(TokenizerJsonTokenizer::close);
        opened.clear();
    }
}
