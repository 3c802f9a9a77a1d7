package io.circuitscope.discovery.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaithfulnessCurveTest {
    @Test
    void areasAreTrapezoidsOverTheBudgetFraction() {
        FaithfulnessCurve c = FaithfulnessCurve.of(List.of(new FaithfulnessCurve.Point(0.0, 0, 0),
                new FaithfulnessCurve.Point(0.5, 5, 1.5), new FaithfulnessCurve.Point(1.0, 10, 1)), false);
        assertEquals(0.25 * 1.5 + 0.25 * 2.5, c.cpr(), 1e-12);
        assertEquals(0.25 * (1 + 0.5) + 0.25 * (0.5 + 0), c.cmd(), 1e-12);
        assertEquals(0.5, FaithfulnessCurve.faithfulness(2, 1, 3), 1e-12);
        assertTrue(Double.isNaN(FaithfulnessCurve.faithfulness(2, 1, 1)));
    }

    @Test
    void rankingByAbsoluteOrSignedScore() {
        double[] s = {0.1, -0.9, 0.5, 0.5};
        assertEquals(BitSet.valueOf(new long[] {0b0110}), new EdgeRanking(s, true).top(2));
        assertEquals(BitSet.valueOf(new long[] {0b1100}), new EdgeRanking(s, false).top(2));
        EdgeRanking abs = new EdgeRanking(s, true);
        assertEquals(4, abs.size());
        assertTrue(abs.absolute());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1, 2, 3, 0}, abs.order());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 3, 0, 1}, new EdgeRanking(s, false).order());
        assertEquals(4, abs.top(10).cardinality());
    }

    @Test
    void rocAucPrecisionAndRecallAgainstAReference() {
        BitSet ref = BitSet.valueOf(new long[] {0b0011});
        BitSet found = BitSet.valueOf(new long[] {0b0101});
        ReferenceComparison perfect = ReferenceComparison.of(new double[] {4, 3, 2, 1}, found, ref, 4);
        assertEquals(1.0, perfect.rocAuc(), 1e-12);
        assertEquals(0.5, perfect.precision(), 1e-12);
        assertEquals(0.5, perfect.recall(), 1e-12);
        assertEquals(0.0, ReferenceComparison.of(new double[] {1, 2, 3, 4}, found, ref, 4).rocAuc(), 1e-12);
        assertEquals(0.5, ReferenceComparison.of(new double[] {1, 1, 1, 1}, found, ref, 4).rocAuc(), 1e-12);
        // Tied scores share their average rank: ranks 1, 2.5, 2.5, 4, so U = 2.5 + 4 - 3 = 3.5 of 4.
        assertEquals(0.875, ReferenceComparison.of(new double[] {4, 2, 2, 1}, found,
                BitSet.valueOf(new long[] {0b0101}), 4).rocAuc(), 1e-12);
        ReferenceComparison none = ReferenceComparison.of(new double[] {1, 2, 3, 4}, new BitSet(), new BitSet(), 4);
        assertTrue(Double.isNaN(none.rocAuc()) && Double.isNaN(none.precision()) && Double.isNaN(none.recall()));
        BitSet all = BitSet.valueOf(new long[] {0b1111});
        ReferenceComparison everything = ReferenceComparison.of(new double[] {1, 2, 3, 4}, all, all, 4);
        assertTrue(Double.isNaN(everything.rocAuc()));
        assertEquals(1.0, everything.precision(), 0.0);
        assertEquals(4, everything.referenceEdges());
        assertEquals(4, everything.sharedEdges());
        assertEquals(4, everything.foundEdges());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ReferenceComparison.of(new double[3], found, ref, 4));
    }
}
