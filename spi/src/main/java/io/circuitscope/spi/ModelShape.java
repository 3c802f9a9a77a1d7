package io.circuitscope.spi;

/**
 * The shape of the model under study.
 *
 * @param bosTokenId the id every probe starts with, or -1 when the model has no BOS token
 * @param attentionOnly true when the blocks have no MLPs
 * @param normalization TransformerLens's {@code normalization_type}: {@code LN} (LayerNorm with
 *     {@code ln_final.w} and {@code .b}), {@code LNPre} (LayerNorm, no learned weights), {@code RMS} (RMSNorm with
 *     {@code ln_final.w}: no centring, no bias), {@code RMSPre} (RMSNorm, no weights) or {@code none}
 */
public record ModelShape(int nLayers, int nHeads, int dModel, int dHead, int dVocab, int nCtx, int bosTokenId,
                         boolean attentionOnly, String normalization) {
    /** True when the model declares a BOS token. */
    public boolean hasBos() {
        return bosTokenId >= 0;
    }
}
