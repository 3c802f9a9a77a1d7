package io.circuitscope.core.probe;

/**
 * One token sequence in which {@code tokens[firstStart, firstStart + length)} recurs at
 * {@code [secondStart, secondStart + length)}, among random filler; a control sequence has length 0 and no repeat.
 */
public record RepeatedSegment(int[] tokens, int firstStart, int secondStart, int length) {

    public boolean isControl() {
        return length == 0;
    }

    /** Distance from a token of the first copy to the same token of the second copy. */
    public int offset() {
        return secondStart - firstStart;
    }

    /**
     * True when position {@code t} lies in the second copy before its last token, so the next token is predictable
     * by induction, and the current token occurs exactly once earlier in the sequence, so that answer is unambiguous.
     */
    public boolean isUnambiguousInductionTarget(int t) {
        if (isControl() || t < secondStart || t >= secondStart + length - 1) {
            return false;
        }
        return occursOnceBefore(tokens, t);
    }

    /** True when the token at {@code position} occurs exactly once before it, so what followed it is unambiguous. */
    public static boolean occursOnceBefore(int[] tokens, int position) {
        int count = 0;
        for (int i = 0; i < position; i++) {
            if (tokens[i] == tokens[position]) {
                count++;
            }
        }
        return count == 1;
    }

    /** The token that induction predicts after position {@code t} of the second copy. */
    public int inductionAnswer(int t) {
        return tokens[firstStart + (t - secondStart) + 1];
    }
}
