package io.circuitscope.core.probe;

import java.util.Set;

import java.util.HashSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RepeatedSegmentGeneratorTest {
    private static final int DRAWS = 2_000;

    /** The induction task's own settings: 64 tokens, BOS 0, ids 1..511, segments of 3..20. */
    private static RepeatedSegmentGenerator inductionLike() {
        return new RepeatedSegmentGenerator(64, 0, 1, 511, 3, 20);
    }

    /** Checks everything that must hold for any sequence the generator returns. */
    private static void assertWellFormed(RepeatedSegmentGenerator g, RepeatedSegment s) {
        int[] t = s.tokens();
        assertEquals(g.sequenceLength(), t.length);
        int bodyStart = 0;
        if (g.bosId() >= 0) {
            assertEquals(g.bosId(), t[0], "BOS at position 0");
            bodyStart = 1;
        }
        for (int i = bodyStart; i < t.length; i++) {
            assertTrue(t[i] >= g.firstTokenId() && t[i] < g.firstTokenId() + g.tokenCount(),
                    "id " + t[i] + " at " + i + " outside the declared range");
        }
        if (s.isControl()) {
            return;
        }
        assertTrue(s.length() >= g.minSegment() && s.length() <= g.maxSegment(), "length " + s.length());
        assertTrue(s.firstStart() >= bodyStart, "first copy overwrites BOS: " + s.firstStart());
        assertTrue(s.firstStart() + s.length() <= s.secondStart(), "copies overlap: " + describe(s));
        assertTrue(s.secondStart() + s.length() <= t.length, "second copy out of bounds: " + describe(s));
        assertEquals(s.secondStart() - s.firstStart(), s.offset());
        assertArrayEquals(Arrays.copyOfRange(t, s.firstStart(), s.firstStart() + s.length()),
                Arrays.copyOfRange(t, s.secondStart(), s.secondStart() + s.length()),
                "second copy differs from the first: " + describe(s));
    }

    private static String describe(RepeatedSegment s) {
        return "first " + s.firstStart() + ", second " + s.secondStart() + ", length " + s.length() + ", tokens "
                + Arrays.toString(s.tokens());
    }

    @Test
    void placementsAnywhereReachEveryStartThatFitsIncludingTheLastOnes() {
        RepeatedSegmentGenerator g = inductionLike();
        SplittableRandom rng = new SplittableRandom(31);
        Set<Integer> firstStarts = new HashSet<>();
        int latestKey = 0;
        for (int i = 0; i < 20_000; i++) {
            RepeatedSegment s = g.placedAnywhere(rng);
            assertWellFormed(g, s);
            firstStarts.add(s.firstStart());
            latestKey = Math.max(latestKey, s.firstStart() + s.length() - 1);
        }
        // With length 3 the first copy can start at 58 (and the second at 61); every start from 1 occurs.
        assertEquals(58, firstStarts.size(), firstStarts.toString());
        assertEquals(60, latestKey);
    }

    @Test
    void aPlainRepeatIsBosThenTheLongestSegmentTwice() {
        RepeatedSegment s = inductionLike().plainRepeat(new SplittableRandom(5));
        assertEquals(1, s.firstStart());
        assertEquals(31, s.length());
        assertEquals(32, s.secondStart());
        assertEquals(0, s.tokens()[0]);
        assertArrayEquals(Arrays.copyOfRange(s.tokens(), 1, 32), Arrays.copyOfRange(s.tokens(), 32, 63));
    }

    @ParameterizedTest
    @CsvSource({"3, 0, 10", "3, 10, 12", "3, 59, 62", "0, 5, 10"})
    void aPlacementThatDoesNotFitIsRefused(int length, int first, int second) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> inductionLike().placed(new SplittableRandom(1), length, first, second));
        assertTrue(e.getMessage().contains("does not fit in 64 positions"), e.getMessage());
    }

    @Test
    void anExplicitPlacementIsHonouredAtTheEdges() {
        RepeatedSegment s = inductionLike().placed(new SplittableRandom(2), 3, 58, 61);
        assertEquals(58, s.firstStart());
        assertEquals(61, s.secondStart());
        assertArrayEquals(Arrays.copyOfRange(s.tokens(), 58, 61), Arrays.copyOfRange(s.tokens(), 61, 64));
    }

    @Test
    void repeatedSequencesAreWellFormed() {
        RepeatedSegmentGenerator g = inductionLike();
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < DRAWS; i++) {
            RepeatedSegment s = g.placedAnywhere(rng);
            assertFalse(s.isControl());
            assertWellFormed(g, s);
        }
    }

    @Test
    void lengthAndOffsetVarySoNoFixedPositionalOffsetExplainsTheRepeats() {
        RepeatedSegmentGenerator g = inductionLike();
        SplittableRandom rng = new SplittableRandom(2);
        Map<Integer, Integer> offsets = new TreeMap<>();
        TreeSet<Integer> lengths = new TreeSet<>();
        TreeSet<Integer> firstStarts = new TreeSet<>();
        for (int i = 0; i < DRAWS; i++) {
            RepeatedSegment s = g.placedAnywhere(rng);
            offsets.merge(s.offset(), 1, Integer::sum);
            lengths.add(s.length());
            firstStarts.add(s.firstStart());
        }
        assertEquals(IntStream.rangeClosed(g.minSegment(), g.maxSegment()).boxed().toList(), lengths.stream().toList(),
                "every segment length in [min, max] should occur");
        assertTrue(offsets.size() >= 30, "only " + offsets.size() + " distinct offsets: " + offsets);
        int commonest = offsets.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertTrue(commonest < DRAWS / 10,
                "one offset explains " + commonest + " of " + DRAWS + " repeats: " + offsets);
        // Adjacent copies (gap 0) and widely separated ones both occur.
        assertTrue(offsets.keySet().stream().anyMatch(o -> o <= g.maxSegment()), offsets.toString());
        assertTrue(offsets.keySet().stream().anyMatch(o -> o > g.sequenceLength() / 2), offsets.toString());
        assertTrue(firstStarts.size() >= 20, "first copy starts at only " + firstStarts);
    }

    @Test
    void withoutBosTheFirstCopyMayStartAtZero() {
        RepeatedSegmentGenerator g = new RepeatedSegmentGenerator(16, -1, 100, 20, 2, 4);
        SplittableRandom rng = new SplittableRandom(3);
        boolean sawZero = false;
        for (int i = 0; i < DRAWS; i++) {
            RepeatedSegment s = g.placedAnywhere(rng);
            assertWellFormed(g, s);
            sawZero |= s.firstStart() == 0;
        }
        assertTrue(sawZero);
        RepeatedSegment c = new RepeatedSegment(g.distinct(rng), 0, 0, 0);
        assertWellFormed(g, c);
        assertTrue(Arrays.stream(c.tokens()).allMatch(id -> id >= 100 && id < 120));
    }

    @Test
    void aBosIdInsideTheRangeIsSkippedSoItOnlyStandsAtPositionZero() {
        // ids 0..9 except BOS 4: the range extends to 10
        RepeatedSegmentGenerator g = new RepeatedSegmentGenerator(12, 4, 0, 10, 2, 5);
        SplittableRandom rng = new SplittableRandom(8);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < DRAWS; i++) {
            int[] t = i % 2 == 0 ? g.placedAnywhere(rng).tokens() : g.distinct(rng);
            assertEquals(4, t[0]);
            for (int p = 1; p < t.length; p++) {
                seen.add(t[p]);
            }
        }
        assertEquals(Set.of(0, 1, 2, 3, 5, 6, 7, 8, 9, 10), seen);
    }

    @Test
    void aBosAtTheStartOfTheRangeIsSkippedToo() {
        RepeatedSegmentGenerator g = new RepeatedSegmentGenerator(12, 0, 0, 9, 2, 5);
        SplittableRandom rng = new SplittableRandom(5);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < DRAWS; i++) {
            int[] t = g.distinct(rng);
            for (int p = 1; p < t.length; p++) {
                seen.add(t[p]);
            }
        }
        assertEquals(Set.of(1, 2, 3, 4, 5, 6, 7, 8, 9), seen);
    }

    @Test
    void distinctStopsInsistingOnceEveryIdIsUsed() {
        // 11 positions after BOS, only 5 ids: the first five are distinct, the rest repeat.
        int[] t = new RepeatedSegmentGenerator(12, 0, 1, 5, 2, 5).distinct(new SplittableRandom(6));
        assertEquals(Set.of(1, 2, 3, 4, 5), Arrays.stream(t, 1, 6).boxed().collect(java.util.stream.Collectors.toSet()));
        assertTrue(Arrays.stream(t, 6, 12).allMatch(x -> x >= 1 && x <= 5));
    }

    @Test
    void segmentsThatExactlyFillTheBodyAreAllowed() {
        RepeatedSegmentGenerator g = new RepeatedSegmentGenerator(11, 7, 10, 5, 5, 5);
        RepeatedSegment s = g.placedAnywhere(new SplittableRandom(4));
        assertWellFormed(g, s);
        assertEquals(1, s.firstStart());
        assertEquals(6, s.secondStart());
        assertEquals(5, s.offset());
    }

    @Test
    void controlsHaveNoRepeatAndNoTargets() {
        RepeatedSegmentGenerator g = inductionLike();
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            RepeatedSegment c = new RepeatedSegment(g.distinct(rng), 0, 0, 0);
            assertTrue(c.isControl());
            assertEquals(0, c.length());
            assertWellFormed(g, c);
            for (int t = 0; t < c.tokens().length; t++) {
                assertFalse(c.isUnambiguousInductionTarget(t), "control has a target at " + t);
            }
        }
    }

    /**
     * A small vocabulary makes many second-copy tokens ambiguous (they occur more than once earlier), so both outcomes
     * of the predicate are exercised; the large one checks the common case.
     */
    @ParameterizedTest
    @CsvSource({"8", "511"})
    void inductionTargetsMatchABruteForceRecount(int tokenCount) {
        RepeatedSegmentGenerator g = new RepeatedSegmentGenerator(64, 0, 1, tokenCount, 3, 20);
        SplittableRandom rng = new SplittableRandom(6);
        int targets = 0;
        int ambiguousInSecondCopy = 0;
        for (int i = 0; i < 500; i++) {
            RepeatedSegment s = g.placedAnywhere(rng);
            int[] tok = s.tokens();
            for (int t = -1; t <= tok.length; t++) {
                boolean inSecondCopyBeforeLast = t >= s.secondStart() && t < s.secondStart() + s.length() - 1;
                int earlier = 0;
                int lastEarlier = -1;
                for (int j = 0; t >= 0 && t < tok.length && j < t; j++) {
                    if (tok[j] == tok[t]) {
                        earlier++;
                        lastEarlier = j;
                    }
                }
                boolean expected = inSecondCopyBeforeLast && earlier == 1;
                assertEquals(expected, s.isUnambiguousInductionTarget(t), "t=" + t + " in " + describe(s));
                if (expected) {
                    targets++;
                    // The one earlier occurrence is the matching token of the first copy, and induction's answer is
                    // both the token after it and the actual next token.
                    assertEquals(s.firstStart() + (t - s.secondStart()), lastEarlier);
                    assertEquals(tok[lastEarlier + 1], s.inductionAnswer(t));
                    assertEquals(tok[t + 1], s.inductionAnswer(t));
                } else if (inSecondCopyBeforeLast) {
                    ambiguousInSecondCopy++;
                }
            }
        }
        assertTrue(targets > 0);
        if (tokenCount == 8) {
            assertTrue(ambiguousInSecondCopy > 0, "a tiny vocabulary should produce ambiguous positions");
        } else {
            assertTrue(targets > 4 * ambiguousInSecondCopy, targets + " targets, " + ambiguousInSecondCopy
                    + " ambiguous");
        }
    }

    @ParameterizedTest(name = "length {0}, bos {1}, ids {2}, segments {3}..{4}")
    @CsvSource({
            "64, 0, 511, 1, 5",    // a segment of one token cannot be induced
            "64, 0, 511, 0, 5",
            "64, 0, 511, 6, 5",    // max < min
            "10, 0, 511, 2, 5",    // 2 * 5 > 9 body positions once BOS takes one
            "40, -1, 511, 3, 21",  // 42 > 40
            "0, -1, 511, 2, 2",
            "64, 0, 1, 3, 20",     // one id cannot make random filler
            "64, 0, 0, 3, 20",
            "64, 0, -3, 3, 20",
            "64, 0, 511, 3, 1073741825"})  // 2 * max overflows int
    void rejectsImpossibleSettings(int length, int bos, int tokenCount, int min, int max) {
        assertThrows(IllegalArgumentException.class,
                () -> new RepeatedSegmentGenerator(length, bos, 1, tokenCount, min, max));
    }

    @Test
    void acceptsTheBoundaryWithoutBos() {
        RepeatedSegmentGenerator g = new RepeatedSegmentGenerator(10, -1, 1, 2, 2, 5);
        assertWellFormed(g, g.placedAnywhere(new SplittableRandom(7)));
    }

    @Test
    void theSameSeedGivesTheSameSequences() {
        RepeatedSegmentGenerator g = inductionLike();
        SplittableRandom a = new SplittableRandom(42);
        SplittableRandom b = new SplittableRandom(42);
        boolean differsFromOtherSeed = false;
        SplittableRandom other = new SplittableRandom(43);
        for (int i = 0; i < 100; i++) {
            RepeatedSegment x = i % 3 == 0 ? new RepeatedSegment(g.distinct(a), 0, 0, 0) : g.placedAnywhere(a);
            RepeatedSegment y = i % 3 == 0 ? new RepeatedSegment(g.distinct(b), 0, 0, 0) : g.placedAnywhere(b);
            RepeatedSegment z = i % 3 == 0 ? new RepeatedSegment(g.distinct(other), 0, 0, 0) : g.placedAnywhere(other);
            assertArrayEquals(x.tokens(), y.tokens());
            assertEquals(x.firstStart(), y.firstStart());
            assertEquals(x.secondStart(), y.secondStart());
            assertEquals(x.length(), y.length());
            differsFromOtherSeed |= !Arrays.equals(x.tokens(), z.tokens());
        }
        assertTrue(differsFromOtherSeed);
    }
}
