package io.circuitscope.core.tokenizer;

import ai.djl.engine.EngineException;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.engine.EngineBootstrap;
import io.circuitscope.core.io.StrictJson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * A HF {@code tokenizer.json} (or a GPT-2 {@code vocab.json} + {@code merges.txt} pair) run by the HF tokenizers
 * library itself, through DJL, so it gives the ids HF gives with {@code add_special_tokens=False}, except that a
 * special token's spelling in the text is read as plain text (see {@link SpecialTokensAsText}).
 *
 * <p>It holds a native tokenizer. {@link #close()} frees it at once; one never closed is freed once it is
 * unreachable. Encoding and decoding may run on several threads at once, and a call after {@code close()} is a
 * {@link CircuitscopeException}, never a use of freed memory.
 */
public final class TokenizerJsonTokenizer implements Tokenizer, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Text that ends a word in every tokenizer, so that what follows it starts as it would mid-sentence. */
    private static final String CONTINUATION_SENTINEL = "\n";
    // One daemon thread frees every tokenizer that is dropped without close().
    private static final Cleaner CLEANER = Cleaner.create();
    // No truncation or padding from the file's settings: encode must return every token, and only those.
    private static final Map<String, String> OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    private final HuggingFaceTokenizer tokenizer;
    private final Cleaner.Cleanable cleanable;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final BitSet ids;
    private final String source;
    private final String description;
    private boolean closed;

    private TokenizerJsonTokenizer(HuggingFaceTokenizer tokenizer, BitSet ids, String source, String description) {
        this.tokenizer = tokenizer;
        this.cleanable = CLEANER.register(this, tokenizer::close);
        this.ids = ids;
        this.source = source;
        this.description = description;
    }

    /**
     * Reads a HF {@code tokenizer.json}.
     *
     * @param maxVocab the model's vocabulary size; any id at or above it is refused before anything is sized by it
     * @throws CircuitscopeException naming the file, for a file that is damaged or that the library cannot use
     */
    public static TokenizerJsonTokenizer read(Path tokenizerJson, int maxVocab) {
        String file = tokenizerJson.toString();
        ObjectNode root = (ObjectNode) StrictJson.readObject(tokenizerJson, StrictJson.TOKENIZER_FILE_LIMIT);
        return load(root, new TokenizerFiles(file, file + " model.vocab", file + " model.merges",
                i -> file + " model.merges[" + i + "]", String.valueOf(tokenizerJson.getFileName())), maxVocab);
    }

    /**
     * Reads a GPT-2 style {@code vocab.json} (token to id) and {@code merges.txt} (one "a b" merge per line) as HF's
     * {@code GPT2TokenizerFast} does.
     *
     * @param maxVocab the model's vocabulary size; any id at or above it is refused before anything is sized by it
     * @throws CircuitscopeException naming the file, and the line, that is damaged
     */
    public static TokenizerJsonTokenizer fromVocabAndMerges(Path vocabJson, Path mergesTxt, int maxVocab) {
        return Gpt2VocabAndMerges.load(vocabJson, mergesTxt, maxVocab);
    }

    /** Checks {@code root}, a parsed tokenizer.json, makes its special tokens plain text and loads it. */
    static TokenizerJsonTokenizer load(ObjectNode root, TokenizerFiles files, int maxVocab) {
        TokenizerJsonVocabulary vocab = TokenizerJsonVocabulary.read(root, files, maxVocab);
        boolean bpe = BpeModelCheck.isBpe(root);
        if (bpe) {
            BpeModelCheck.check(root, vocab, files);
        }
        String kind = (BpeModelCheck.isByteLevel(root) ? "byte-level " : "")
                + root.path("model").path("type").asText(bpe ? "BPE" : "model");
        SpecialTokensAsText.apply(root, vocab, files.file());
        TokenizerJsonTokenizer tokenizer = new TokenizerJsonTokenizer(nativeTokenizer(root, files.file()),
                vocab.ids(), files.file(), kind + " from " + files.name() + " (" + vocab.size() + " tokens)");
        // One refused here is never returned; the cleaner frees its native tokenizer.
        tokenizer.requireAddedTokenIds(vocab);
        return tokenizer;
    }

    private static HuggingFaceTokenizer nativeTokenizer(ObjectNode root, String file) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        // On first use DJL copies the native library out of its jar into the DJL cache. It downloads only a CUDA
        // build, and offline it never picks one, so a library user who skipped the bootstrap is kept offline too.
        EngineBootstrap.forceOffline();
        try {
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), OPTIONS);
        } catch (EngineException | LinkageError e) {
            throw new CircuitscopeException("the HF tokenizers native library cannot be loaded, so " + file
                    + " cannot be used: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            // The library reports a file it cannot deserialize as a bare RuntimeException carrying its message.
            throw new CircuitscopeException(file + ": the HF tokenizers library cannot read it: " + e.getMessage(), e);
        }
    }

    /**
     * The library numbers an added token missing from the model's vocabulary itself, ignoring the id the file gives
     * it; text spelling the token must therefore encode to exactly that declared id.
     */
    private void requireAddedTokenIds(TokenizerJsonVocabulary vocab) {
        for (TokenizerJsonVocabulary.AddedToken token : vocab.added()) {
            if (!token.special()) {
                int[] encoded = encode(token.content());
                if (encoded.length != 1 || encoded[0] != token.id()) {
                    throw new CircuitscopeException(source + ": added token '" + token.content() + "' has id "
                            + token.id() + ", but the tokenizers library encodes it as " + Arrays.toString(encoded)
                            + "; the ids of the added tokens do not fit the vocabulary");
                }
            }
        }
    }

    /**
     * The ids {@code text} gets after a newline, with the newline's own ids removed; {@link #encode} itself when
     * the two do not split there (a merge across the boundary), which for a tokenizer that marks only the start of
     * its input gives the same ids anyway.
     */
    @Override
    public int[] encodeContinuation(String text) {
        int[] sentinel = encode(CONTINUATION_SENTINEL);
        int[] joined = encode(CONTINUATION_SENTINEL + text);
        if (joined.length < sentinel.length
                || !java.util.Arrays.equals(sentinel, java.util.Arrays.copyOf(joined, sentinel.length))) {
            return encode(text);
        }
        return java.util.Arrays.copyOfRange(joined, sentinel.length, joined.length);
    }

    @Override
    public int[] encode(String text) {
        requireWellFormed(text);
        long[] encoded = withTokenizer(t -> t.encode(text).getIds());
        int[] out = new int[encoded.length];
        for (int i = 0; i < encoded.length; i++) {
            out[i] = Math.toIntExact(encoded[i]);
        }
        return out;
    }

    @Override
    public String decode(int... ids) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            // The library skips an id it does not know without a word.
            if (id < 0 || !this.ids.get(id)) {
                throw new CircuitscopeException("token id " + id + " is not in the vocabulary of " + source + " ("
                        + vocabSize() + " tokens)");
            }
            wide[i] = id;
        }
        return withTokenizer(t -> t.decode(wide, false));
    }

    @Override
    public int vocabSize() {
        return ids.length();
    }

    @Override
    public String description() {
        return description;
    }

    /** Frees the native tokenizer; later calls to encode or decode fail. Closing twice does nothing. */
    @Override
    public void close() {
        Lock write = lock.writeLock();
        write.lock();
        try {
            closed = true;
            cleanable.clean();
        } finally {
            write.unlock();
        }
    }

    /** Runs one call of the native tokenizer, which {@link #close()} cannot free while it runs. */
    private <T> T withTokenizer(Function<HuggingFaceTokenizer, T> call) {
        Lock read = lock.readLock();
        read.lock();
        try {
            if (closed) {
                throw new CircuitscopeException("the tokenizer of " + source + " is closed");
            }
            return call.apply(tokenizer);
        } catch (CircuitscopeException e) {
            throw e;
        } catch (RuntimeException e) {
            // E.g. a WordLevel model with no unknown token, given a word it lacks.
            throw new CircuitscopeException(source + ": the HF tokenizers library failed: " + e.getMessage(), e);
        } finally {
            read.unlock();
        }
    }

    /** Refuses an unpaired UTF-16 surrogate, which is no character: the library would see it as U+FFFD. */
    private static void requireWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new CircuitscopeException(String.format("the text has an unpaired surrogate U+%04X at index %d,"
                        + " so it is not Unicode text", (int) c, i));
            }
        }
    }
}
