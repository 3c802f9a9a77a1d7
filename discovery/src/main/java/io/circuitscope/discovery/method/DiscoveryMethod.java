package io.circuitscope.discovery.method;

/** How edges are scored and the circuit chosen. */
public enum DiscoveryMethod {
    /** ACDC: greedy removal of every edge whose removal raises the metric by less than the threshold. */
    ACDC("acdc"),
    /** Edge attribution patching: a first-order estimate of each edge's effect from one backward pass. */
    EAP("eap"),
    /** EAP with integrated gradients over interpolated input embeddings. */
    EAP_IG("eap-ig"),
    /** Each edge's own patching effect on the full model, computed exactly. */
    EXACT("exact"),
    /** EAP ranks every edge, then ACDC runs on the top k only. */
    EAP_ACDC("eap+acdc");

    private final String id;

    DiscoveryMethod(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static DiscoveryMethod parse(String id) {
        for (DiscoveryMethod m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + id + "': use acdc, eap, eap-ig, exact or eap+acdc");
    }
}
