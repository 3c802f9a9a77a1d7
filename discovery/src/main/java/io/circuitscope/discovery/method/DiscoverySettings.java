package io.circuitscope.discovery.method;

import io.circuitscope.discovery.patching.Ablation;
import io.circuitscope.discovery.patching.MetricKind;

/**
 * How to discover a circuit.
 *
 * @param threshold ACDC's τ, or for score methods the least ranking score kept; null for the default (ACDC: 1% of
 *     |m(full) − m(empty)|; score methods: the smallest top-n reaching {@code targetFaithfulness})
 * @param absoluteDelta ACDC compares |Δ| rather than Δ with τ
 * @param absoluteRanking edges are ranked by |score| (MIB's default) rather than by signed score
 * @param igSteps EAP-IG's interpolation steps
 * @param topK how many EAP-ranked edges {@code eap+acdc} hands to ACDC
 */
public record DiscoverySettings(DiscoveryMethod method, MetricKind metric, Ablation ablation, Double threshold,
                                boolean absoluteDelta, boolean absoluteRanking, int igSteps, int topK,
                                double targetFaithfulness) {
    public DiscoverySettings {
        if (igSteps < 1) {
            throw new IllegalArgumentException("--ig-steps must be at least 1, got " + igSteps);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("--top-k must be at least 1, got " + topK);
        }
        if (!(targetFaithfulness > 0 && targetFaithfulness <= 1.5)) {
            throw new IllegalArgumentException("--target must be in (0, 1.5], got " + targetFaithfulness);
        }
        if (threshold != null && !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("--threshold must be a finite number");
        }
    }

    /** Defaults for a method and metric: resample ablation, MIB's absolute ranking, 5 IG steps, top 2000, f 0.9. */
    public static DiscoverySettings defaults(DiscoveryMethod method, MetricKind metric) {
        return new DiscoverySettings(method, metric, Ablation.RESAMPLE, null, false, true, 5, 2000, 0.9);
    }
}
