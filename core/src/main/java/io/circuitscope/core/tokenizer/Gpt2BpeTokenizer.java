package io.circuitscope.core.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import io.circuitscope.core.CircuitscopeException;

/** GPT-2's byte-level BPE as shipped in jtokkit (tiktoken r50k_base), which gives the same ids as HF's GPT-2 tokenizer. */
public final class Gpt2BpeTokenizer implements Tokenizer {

    /** GPT-2's vocabulary size, {@code <|endoftext|>} (50256) included. */
    public static final int VOCAB_SIZE = 50257;

    // The lazy registry loads only r50k, not all four bundled vocabularies; the encoding is immutable, so one is shared.
    private static final Encoding R50K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

    @Override
    public int[] encode(String text) {
        return R50K.encodeOrdinary(text).toArray();
    }

    @Override
    public String decode(int... ids) {
        IntArrayList list = new IntArrayList(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= VOCAB_SIZE) {
                throw new CircuitscopeException(
                        "token id " + id + " is outside the GPT-2 vocabulary [0, " + VOCAB_SIZE + ")");
            }
            list.add(id);
        }
        return R50K.decode(list);
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    @Override
    public String description() {
        return "GPT-2 BPE (r50k_base)";
    }
}
