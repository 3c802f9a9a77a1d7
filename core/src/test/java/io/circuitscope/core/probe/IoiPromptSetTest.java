package io.circuitscope.core.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.tokenizer.Gpt2BpeTokenizer;
import io.circuitscope.core.tokenizer.Tokenizer;
import io.circuitscope.core.tokenizer.WordLevelTokenizer;
import io.circuitscope.core.zoo.IoiTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class IoiPromptSetTest {
    private static final int GPT2_BOS = 50256;
    private static final Tokenizer GPT2 = new Gpt2BpeTokenizer();
    private static final WordLevelTokenizer WORDS = new IoiTask().vocabulary().orElseThrow();
    private static final int WORD_BOS = 0;

    private static IoiPromptSet gpt2(Integer bos) {
        return new IoiPromptSet(GPT2, IoiCorpus.NAMES, IoiCorpus.TEMPLATES, bos);
    }

    private static IoiPromptSet words(Integer bos) {
        return new IoiPromptSet(WORDS, IoiCorpus.NAMES, IoiCorpus.TEMPLATES, bos);
    }

    /** Both tokenizers, with and without BOS. */
    static Stream<Arguments> promptSets() {
        return Stream.of(
                Arguments.of("gpt2+bos", GPT2, gpt2(GPT2_BOS), GPT2_BOS),
                Arguments.of("gpt2", GPT2, gpt2(null), null),
                Arguments.of("words+bos", WORDS, words(WORD_BOS), WORD_BOS),
                Arguments.of("words", WORDS, words(null), null));
    }

    private static String sentence(int template, String x, String y, String s) {
        return IoiCorpus.TEMPLATES.get(template).replace("[X]", x).replace("[Y]", y).replace("[S]", s);
    }

    private static int[] withBos(Integer bos, int[] body) {
        return bos == null ? body : IntStream.concat(IntStream.of(bos), IntStream.of(body)).toArray();
    }

    /** The invariants of a clean prompt: name positions, END, BOS and ABBA/BABA order. */
    private static void assertCleanPrompt(IoiPrompt p, Integer bos) {
        int[] t = p.tokens();
        String where = Arrays.toString(t) + " " + p;
        assertEquals(p.ioToken(), t[p.ioPos()], where);
        assertEquals(p.sToken(), t[p.s1Pos()], where);
        assertEquals(p.sToken(), t[p.s2Pos()], where);
        assertNotEquals(p.ioToken(), p.sToken(), where);
        assertEquals(t.length - 1, p.endPos(), where);
        assertTrue(p.s2Pos() > Math.max(p.ioPos(), p.s1Pos()) && p.s2Pos() < p.endPos(), where);
        if (p.abba()) {
            assertTrue(p.ioPos() < p.s1Pos(), "ABBA names IO first: " + where);
        } else {
            assertTrue(p.s1Pos() < p.ioPos(), "BABA names S first: " + where);
        }
        if (bos != null) {
            assertEquals(bos, t[0], where);
            assertTrue(p.ioPos() > 0 && p.s1Pos() > 0, where);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("promptSets")
    void piecewisePromptsEqualTheWholeSentenceEncodedForEveryTemplate(String label, Tokenizer tok, IoiPromptSet set,
                                                                      Integer bos) {
        List<String> names = set.names();
        int[] ids = set.nameIds();
        assertEquals(IoiCorpus.TEMPLATES, set.templates());
        for (int template = 0; template < IoiCorpus.TEMPLATES.size(); template++) {
            for (int io = 0; io < names.size(); io++) {
                int s = (io + 1 + template) % names.size();
                for (boolean abba : new boolean[] {true, false}) {
                    IoiPrompt p = set.prompt(template, io, s, abba);
                    assertCleanPrompt(p, bos);
                    assertEquals(template, p.template());
                    assertEquals(abba, p.abba());
                    assertEquals(ids[io], p.ioToken());
                    assertEquals(ids[s], p.sToken());
                    String text = abba
                            ? sentence(template, names.get(io), names.get(s), names.get(s))
                            : sentence(template, names.get(s), names.get(io), names.get(s));
                    assertArrayEquals(withBos(bos, tok.encode(text)), p.tokens(), label + ": " + text);
                }
            }
        }
    }

    @Test
    void theCanonicalSentenceHasGpt2sKnownIds() {
        IoiPromptSet set = gpt2(GPT2_BOS);
        IoiPrompt p = set.prompt(0, set.names().indexOf("Mary"), set.names().indexOf("John"), true);
        String text = "When Mary and John went to the store, John gave a drink to";
        assertArrayEquals(withBos(GPT2_BOS, GPT2.encode(text)), p.tokens());
        assertArrayEquals(new int[] {50256, 2215, 5335, 290, 1757, 1816, 284, 262, 3650, 11, 1757, 2921, 257, 4144, 284},
                p.tokens());
        assertEquals(2, p.ioPos());
        assertEquals(4, p.s1Pos());
        assertEquals(10, p.s2Pos());
        assertEquals(14, p.endPos());
        assertEquals(" Mary", GPT2.decode(p.ioToken()));
        assertEquals(" John", GPT2.decode(p.sToken()));
        assertEquals(text, GPT2.decode(Arrays.copyOfRange(p.tokens(), 1, p.tokens().length)));

        IoiPrompt baba = set.prompt(0, set.names().indexOf("Mary"), set.names().indexOf("John"), false);
        assertArrayEquals(withBos(GPT2_BOS, GPT2.encode("When John and Mary went to the store, John gave a drink to")),
                baba.tokens());
        assertEquals(4, baba.ioPos());
        assertEquals(2, baba.s1Pos());
    }

    @Test
    void theWordLevelSentenceMatchesTheToyVocabulary() {
        IoiPromptSet set = words(WORD_BOS);
        IoiPrompt p = set.prompt(0, set.names().indexOf("Mary"), set.names().indexOf("John"), true);
        assertEquals("<bos> When Mary and John went to the store , John gave a drink to", WORDS.decode(p.tokens()));
        assertEquals(IoiCorpus.NAMES, set.names(), "every corpus name is one word-level token");
    }

    @Test
    void namesThatAreNotSingleGpt2TokensAreDropped() {
        IoiPromptSet set = gpt2(GPT2_BOS);
        List<String> expected = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (String name : IoiCorpus.NAMES) {
            int[] ids = GPT2.encode(" " + name);
            if (ids.length == 1 && seen.add(ids[0])) {
                expected.add(name);
            }
        }
        assertEquals(expected, set.names());
        assertTrue(set.names().size() >= 30, "only " + set.names().size() + " names survive: " + set.names());
        int[] ids = set.nameIds();
        assertEquals(set.names().size(), ids.length);
        assertEquals(ids.length, Arrays.stream(ids).distinct().count(), "name ids are distinct");
        for (int i = 0; i < ids.length; i++) {
            assertEquals(" " + set.names().get(i), GPT2.decode(ids[i]));
        }
        ids[0] = -1;
        assertNotEquals(-1, set.nameIds()[0], "nameIds() returns a copy");

        // Every corpus name happens to be one GPT-2 token, so mix in some that are not.
        List<String> mixed = List.of("Quetzalcoatlus", "Mary", "Xylbrontheus", "John", "Alice", "Mary", "Zzyzxian",
                "Bob", "Emma");
        IoiPromptSet filtered = new IoiPromptSet(GPT2, mixed, IoiCorpus.TEMPLATES, GPT2_BOS);
        assertEquals(List.of("Mary", "John", "Alice", "Bob", "Emma"), filtered.names());
        IoiPrompt p = filtered.prompt(3, 4, 2, false);
        assertArrayEquals(withBos(GPT2_BOS, GPT2.encode(sentence(3, "Alice", "Emma", "Alice"))), p.tokens());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("promptSets")
    void abcCorruptionReplacesTheThreeNamesAndNothingElse(String label, Tokenizer tok, IoiPromptSet set, Integer bos) {
        Set<Integer> nameIds = new HashSet<>();
        for (int id : set.nameIds()) {
            nameIds.add(id);
        }
        List<Integer> all = IntStream.range(0, IoiCorpus.TEMPLATES.size()).boxed().toList();
        SplittableRandom rng = new SplittableRandom(11);
        for (int i = 0; i < 500; i++) {
            IoiPrompt clean = set.sample(rng, all);
            IoiPrompt abc = set.abc(clean, rng);
            int[] c = clean.tokens();
            int[] a = abc.tokens();
            String where = label + ": " + Arrays.toString(c) + " -> " + Arrays.toString(a);
            assertEquals(c.length, a.length, where);
            assertEquals(clean.ioPos(), abc.ioPos(), where);
            assertEquals(clean.s1Pos(), abc.s1Pos(), where);
            assertEquals(clean.s2Pos(), abc.s2Pos(), where);
            assertEquals(clean.endPos(), abc.endPos(), where);
            assertEquals(clean.abba(), abc.abba(), where);
            assertEquals(clean.template(), abc.template(), where);
            int newIo = a[abc.ioPos()];
            int newS1 = a[abc.s1Pos()];
            int newS2 = a[abc.s2Pos()];
            assertEquals(3, Set.of(newIo, newS1, newS2).size(), "three distinct names: " + where);
            for (int id : new int[] {newIo, newS1, newS2}) {
                assertTrue(nameIds.contains(id), "a corpus name: " + where);
                assertNotEquals(clean.ioToken(), id, "differs from the clean IO: " + where);
                assertNotEquals(clean.sToken(), id, "differs from the clean S: " + where);
            }
            assertEquals(newIo, abc.ioToken(), where);
            assertTrue(abc.sToken() == newS1 || abc.sToken() == newS2, where);
            Map<Integer, Integer> nameCounts = new HashMap<>();
            for (int pos = 0; pos < a.length; pos++) {
                if (pos != abc.ioPos() && pos != abc.s1Pos() && pos != abc.s2Pos()) {
                    assertEquals(c[pos], a[pos], "token " + pos + " changed: " + where);
                }
                if (nameIds.contains(a[pos])) {
                    nameCounts.merge(a[pos], 1, Integer::sum);
                }
            }
            assertTrue(nameCounts.values().stream().allMatch(n -> n == 1), "a name repeats: " + where);
            if (bos != null) {
                assertEquals(bos, a[0]);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("promptSets")
    void sampleIsDeterministicForASeedAndUsesOnlyTheChosenTemplates(String label, Tokenizer tok, IoiPromptSet set,
                                                                    Integer bos) {
        List<Integer> heldOut = List.of(15, 16, 17, 18, 19);
        SplittableRandom a = new SplittableRandom(99);
        SplittableRandom b = new SplittableRandom(99);
        Set<Integer> templates = new HashSet<>();
        int abba = 0;
        for (int i = 0; i < 300; i++) {
            IoiPrompt x = set.sample(a, heldOut);
            IoiPrompt y = set.sample(b, heldOut);
            assertArrayEquals(x.tokens(), y.tokens());
            assertEquals(List.of(x.ioPos(), x.s1Pos(), x.s2Pos(), x.endPos(), x.ioToken(), x.sToken(), x.template()),
                    List.of(y.ioPos(), y.s1Pos(), y.s2Pos(), y.endPos(), y.ioToken(), y.sToken(), y.template()));
            assertEquals(x.abba(), y.abba());
            IoiPrompt xc = set.abc(x, a);
            IoiPrompt yc = set.abc(y, b);
            assertArrayEquals(xc.tokens(), yc.tokens());
            assertCleanPrompt(x, bos);
            templates.add(x.template());
            abba += x.abba() ? 1 : 0;
        }
        assertEquals(Set.copyOf(heldOut), templates);
        assertTrue(abba > 100 && abba < 200, "ABBA in " + abba + " of 300");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "When [X] and [Y] went to the store, [X] gave a drink to",
            "When [X] and [Y] went to the store, gave a drink to",
            "When [X] and [Y] went to the store, [S] gave [S] a drink to",
            "When [X] and [X] went to the store, [S] gave a drink to",
            "When Mary and John went to the store, John gave a drink to"})
    void aTemplateWithoutExactlyOneXYAndSIsRejected(String template) {
        List<String> templates = List.of(IoiCorpus.TEMPLATES.get(0), template);
        assertThrows(IllegalArgumentException.class, () -> new IoiPromptSet(GPT2, IoiCorpus.NAMES, templates, null));
        assertThrows(IllegalArgumentException.class, () -> new IoiPromptSet(WORDS, IoiCorpus.NAMES, templates, null));
    }

    @Test
    void fewerThanFourSingleTokenNamesFail() {
        List<String> names = List.of("Mary", "John", "Alice", "Quetzalcoatlus", "Xylbrontheus", "Zzyzxian");
        CircuitscopeException e = assertThrows(CircuitscopeException.class,
                () -> new IoiPromptSet(GPT2, names, IoiCorpus.TEMPLATES, GPT2_BOS));
        assertTrue(e.getMessage().contains("3 of 6"), e.getMessage());
        assertTrue(e.getMessage().contains(GPT2.description()), e.getMessage());
        // A name listed twice is one name.
        assertThrows(CircuitscopeException.class, () -> new IoiPromptSet(GPT2,
                List.of("Mary", "Mary", "John", "John", "Alice"), IoiCorpus.TEMPLATES, GPT2_BOS));
        assertThrows(CircuitscopeException.class,
                () -> new IoiPromptSet(GPT2, List.of(), IoiCorpus.TEMPLATES, GPT2_BOS));
    }

    @Test
    void fourNamesMakeCleanPromptsButTooFewForAbc() {
        IoiPromptSet set = new IoiPromptSet(GPT2, List.of("Mary", "John", "Alice", "Bob"), IoiCorpus.TEMPLATES,
                GPT2_BOS);
        assertEquals(4, set.names().size());
        IoiPrompt clean = set.prompt(0, 0, 1, true);
        assertCleanPrompt(clean, GPT2_BOS);
        // ABC needs three names besides IO and S; with only two left it must fail rather than loop forever.
        assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(CircuitscopeException.class, () -> set.abc(clean, new SplittableRandom(1))));
    }

    // ---- a third name [Z] -------------------------------------------------------------------------------------------

    private static IoiPromptSet withThirdName() {
        return new IoiPromptSet(WORDS, IoiCorpus.NAMES, List.of(
                "When [X] and [Y] went to the store, [S] asked [Z] to give a drink to",
                "When [X] and [Y] went to the park, [Z] saw that [S] handed a ball to"), WORD_BOS);
    }

    @Test
    void aThirdNameIsPlacedAndRecordedAndSaysWhetherS2IsTheLastName() {
        IoiPromptSet set = withThirdName();
        IoiPrompt after = set.prompt(0, 0, 1, 2, true);
        int[] expected = withBos(WORD_BOS, WORDS.encode(
                "When Mary and John went to the store, John asked Alice to give a drink to"));
        assertArrayEquals(expected, after.tokens());
        assertEquals(12, after.thirdPos());
        assertEquals(10, after.s2Pos());
        assertTrue(after.s2IsNotTheLastName());
        IoiPrompt before = set.prompt(1, 0, 1, 2, false);
        assertTrue(before.thirdPos() < before.s2Pos());
        assertTrue(!before.s2IsNotTheLastName());
        assertEquals(-1, words(WORD_BOS).prompt(0, 0, 1, true).thirdPos());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1, 40})
    void aTemplateWithAThirdNameNeedsOneOtherThanIoAndS(int third) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> withThirdName().prompt(0, 0, 1, third, true));
        assertTrue(e.getMessage().contains("names a third person [Z]"), e.getMessage());
    }

    @Test
    void prefixesShiftTheThirdNameAndTheAbcCorruptionNeverReusesIt() {
        IoiPromptSet set = withThirdName();
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < 300; i++) {
            IoiPrompt p = set.sample(rng, List.of(0, 1));
            int third = p.tokens()[p.thirdPos()];
            assertTrue(third != p.ioToken() && third != p.sToken());
            IoiPrompt shifted = set.withPrefix(p, new int[] {5, 6});
            assertEquals(p.thirdPos() + 2, shifted.thirdPos());
            IoiPrompt abc = set.abc(p, rng);
            assertEquals(p.thirdPos(), abc.thirdPos());
            assertEquals(third, abc.tokens()[abc.thirdPos()]);
            Set<Integer> names = Set.of(abc.tokens()[abc.ioPos()], abc.tokens()[abc.s1Pos()],
                    abc.tokens()[abc.s2Pos()], third);
            assertEquals(4, names.size(), "ABC names are distinct from each other and from Z");
        }
    }

    @Test
    void aTemplateWithTwoThirdNamesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IoiPromptSet(WORDS,
                IoiCorpus.NAMES, List.of("When [X] and [Y] met, [Z] and [Z] saw [S] give a drink to"), WORD_BOS));
        assertTrue(e.getMessage().contains("at most one [Z]"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aPrefixGoesRightAfterBosAndShiftsEveryRecordedPosition(boolean withBos) {
        IoiPromptSet set = withBos ? withThirdName() : new IoiPromptSet(WORDS, IoiCorpus.NAMES,
                List.of("When [X] and [Y] went to the store, [S] asked [Z] to give a drink to"), null);
        IoiPrompt p = set.prompt(0, 3, 4, 5, false);
        int[] prefix = WORDS.encode("It was a sunny day .");
        IoiPrompt q = set.withPrefix(p, prefix);
        int at = withBos ? 1 : 0;
        int[] expected = IntStream.concat(IntStream.concat(IntStream.of(Arrays.copyOf(p.tokens(), at)),
                IntStream.of(prefix)), IntStream.of(Arrays.copyOfRange(p.tokens(), at, p.tokens().length))).toArray();
        assertArrayEquals(expected, q.tokens());
        int k = prefix.length;
        assertEquals(List.of(p.ioPos() + k, p.s1Pos() + k, p.s2Pos() + k, p.endPos() + k, p.thirdPos() + k),
                List.of(q.ioPos(), q.s1Pos(), q.s2Pos(), q.endPos(), q.thirdPos()));
        assertEquals(List.of(p.ioToken(), p.sToken(), p.template()), List.of(q.ioToken(), q.sToken(), q.template()));
        assertEquals(p.abba(), q.abba());
        assertEquals(q.ioToken(), q.tokens()[q.ioPos()]);
        assertEquals(q.sToken(), q.tokens()[q.s2Pos()]);
        assertEquals(-1, words(WORD_BOS).withPrefix(words(WORD_BOS).prompt(0, 0, 1, true), prefix).thirdPos());
    }

    @Test
    void theAbcCorruptionWorksWithExactlyFiveNames() {
        IoiPromptSet five = new IoiPromptSet(WORDS, IoiCorpus.NAMES.subList(0, 5), IoiCorpus.TEMPLATES, WORD_BOS);
        IoiPrompt abc = five.abc(five.prompt(0, 0, 1, true), new SplittableRandom(3));
        assertEquals(3, Set.of(abc.tokens()[abc.ioPos()], abc.tokens()[abc.s1Pos()], abc.tokens()[abc.s2Pos()]).size());
    }
}
