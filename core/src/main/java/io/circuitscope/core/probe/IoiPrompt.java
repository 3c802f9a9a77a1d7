package io.circuitscope.core.probe;

/**
 * One indirect-object-identification prompt in token ids, with the positions of the indirect object (IO), the
 * first and second subject mentions (S1, S2) and the final token (END) whose next token should be IO.
 *
 * @param tokens the prompt, BOS included when the model uses one
 * @param ioToken the id of the indirect object's name, the correct answer
 * @param sToken the id of the subject's name, the distractor answer
 * @param abba true when IO is named before S (ABBA order), false for BABA
 * @param template the template's index in its {@link IoiPromptSet}
 * @param thirdPos the position of a third name that is neither IO nor S (a template's {@code [Z]}), or -1 for none
 */
public record IoiPrompt(int[] tokens, int ioPos, int s1Pos, int s2Pos, int endPos, int ioToken, int sToken,
                        boolean abba, int template, int thirdPos) {

    /** True when a name other than S2 is the last name before END, so "the last name is S" does not hold. */
    public boolean s2IsNotTheLastName() {
        return thirdPos > s2Pos;
    }
}
