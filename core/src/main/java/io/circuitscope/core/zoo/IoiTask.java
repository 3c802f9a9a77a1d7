package io.circuitscope.core.zoo;

import io.circuitscope.core.engine.HookedTransformer;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.probe.IoiCorpus;
import io.circuitscope.core.probe.IoiPrompt;
import io.circuitscope.core.probe.IoiPromptSet;
import io.circuitscope.core.tokenizer.WordLevelTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Indirect object identification on a word-level vocabulary: ABBA and BABA sentences, mixed with distractor sentences
 * whose answer is a lone name or a word, with the loss on the final token. Most templates name a third person next
 * to S2, before or after it in either order, or put S2 far from the end, so that only noticing which name repeats
 * solves the task. Thirteen templates and a tenth of the name pairs are held out for evaluation.
 */
public final class IoiTask implements ZooTask {
    /**
     * Training templates that defeat the shortcut "S is the last name before END": a third name [Z] after S2 or
     * before it, and S2 far from END.
     */
    private static final List<String> SHORTCUT_BREAKING_TRAIN = List.of(
            "When [X] and [Y] went to the store, [S] asked [Z] to give a drink to",
            "After [X] and [Y] arrived at the house, [S] and [Z] passed a book to",
            "While [X] and [Y] were at the beach, [S] saw [Z] and threw a towel to",
            "Then [X] and [Y] had lunch at the cafe. [S] told [Z] to send an email to",
            "Yesterday [X] and [Y] visited the museum, and [S] with [Z] showed a picture to",
            "When [X] and [Y] went to the park, [Z] saw that [S] handed a ball to",
            "At the party [X] and [Y] danced. Then [Z] said that [S] gave a gift to",
            "Since [X] and [Y] were in the garden, [Z] and [S] brought a flower to",
            "When [X] and [Y] met at the station, [S] was happy and gave a coat to",
            "Later [X] and [Y] went to the library. [S] went to the store and lent a pen to");
    /** Held-out templates of the same kinds, built only from words the training templates use. */
    private static final List<String> SHORTCUT_BREAKING_HELD_OUT = List.of(
            "While [X] and [Y] were at the library, [S] asked [Z] to give a book to",
            "After the party [X] and [Y] met at the cafe, and [S] and [Z] gave a pen to",
            "On Monday [X] and [Y] were in the office. [S] saw [Z] and sent a letter to",
            "Then [X] and [Y] went to the park together, and [Z] said that [S] brought a drink to");
    private static final int CORPUS_TRAIN_TEMPLATES = 15;
    /** Training templates first (the corpus's fifteen, then the shortcut-breaking ones), then the held-out ones. */
    static final List<String> TEMPLATES = templates();
    static final int TRAIN_TEMPLATES = CORPUS_TRAIN_TEMPLATES
            + withSubjectAndThirdSwapped(SHORTCUT_BREAKING_TRAIN).size();
    private static final List<Integer> HELD_OUT_TEMPLATES =
            IntStream.range(TRAIN_TEMPLATES, TEMPLATES.size()).boxed().toList();
    static final int SEQUENCE = 32;
    private static final double DISTRACTOR_SHARE = 0.25;
    /**
     * Share of repeat-detection sentences: a training sentence without its last word, its subject slot filled half
     * the time with X or Y (next word "again") and half the time with a new name (next word "too"). Two models
     * trained without them solved IOI from the END position alone, with no head attending from S2 to S1 more than
     * 0.18; a third, asked for the marker right after S2, grew its duplicate-token head in the last layer, where IOI
     * cannot use it. Asking at the end makes the repeat travel from S2 to the end, as IOI needs.
     */
    private static final double REPEAT_SHARE = 0.2;
    private static final String REPEATED = "again";
    private static final String NEW_NAME = "too";
    private static final long SPLIT_SEED = 0x101L;
    private static final long EVAL_SEED = 0xE7A1L;
    private static final int HELD_OUT_TEMPLATE_PAIRS = 300;
    private static final int SHORTCUT_PROMPTS = 300;

    /** Sentences that are not IOI: the answer is a lone name ("X") or a fixed word. */
    private static final List<String[]> DISTRACTORS = List.of(
            new String[] {"[X] and [Y] went to the store, and they bought a", "drink"},
            new String[] {"When [X] went to the park, the dog ran to", "X"},
            new String[] {"After the game [X] was tired, so the coach gave a drink to", "X"},
            new String[] {"[X] and [Y] had lunch at the cafe, and then they went to the", "park"},
            new String[] {"Yesterday [X] visited the museum, and the guide showed a picture to", "X"},
            new String[] {"When [X] and [Y] met at the station, they took a", "train"},
            new String[] {"At the party [X] danced, and then the host gave a gift to", "X"},
            new String[] {"[X] and [Y] were in the garden, and the flower was", "red"});

    /**
     * Name-free sentences placed before half of the training sentences, so that each sentence, and each name in it,
     * is seen at many positions and the model cannot tie its answer to one absolute position.
     */
    private static final List<String> FILLERS = List.of(
            "It was a sunny day.", "The weather was nice.", "The store was busy that morning.",
            "Everyone was happy.", "It was late in the evening.", "The town was quiet.");
    private static final double PREFIX_SHARE = 0.5;

    private final WordLevelTokenizer vocabulary;
    private final List<int[]> fillers = new ArrayList<>();
    private final IoiPromptSet prompts;
    private final int bos;
    private final int pad;
    private final Set<Long> heldOutPairs;
    private final List<int[]> trainingPairs = new ArrayList<>();

    public IoiTask() {
        Set<String> words = new LinkedHashSet<>(List.of("<bos>", "<pad>"));
        words.addAll(IoiCorpus.NAMES);
        for (String t : TEMPLATES) {
            words.addAll(WordLevelTokenizer.words(t.replaceAll("\\[[XYSZ]]", "")));
        }
        for (String[] d : DISTRACTORS) {
            words.addAll(WordLevelTokenizer.words(d[0].replaceAll("\\[[XY]]", "") + " " + d[1]));
        }
        for (String f : FILLERS) {
            words.addAll(WordLevelTokenizer.words(f));
        }
        words.remove("X");
        words.add(REPEATED);
        words.add(NEW_NAME);
        this.vocabulary = new WordLevelTokenizer(List.copyOf(words));
        this.bos = 0;
        this.pad = 1;
        this.prompts = new IoiPromptSet(vocabulary, IoiCorpus.NAMES, TEMPLATES, bos);
        this.heldOutPairs = chooseHeldOutPairs(prompts.names().size());
        for (String f : FILLERS) {
            fillers.add(vocabulary.encode(f));
        }
        int n = prompts.names().size();
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (a != b && !heldOutPairs.contains(pairKey(a, b))) {
                    trainingPairs.add(new int[] {a, b});
                }
            }
        }
    }

    @Override
    public String name() {
        return "ioi";
    }

    @Override
    public ModelConfig architecture() {
        return new ModelConfig(3, 64, 8, 8, null, vocabulary.vocabSize(), SEQUENCE, null, "LN", true, "standard",
                1e-5, bos, "toy-ioi");
    }

    @Override
    public int defaultSteps() {
        return 8000;
    }

    @Override
    public int batchSize() {
        return 64;
    }

    @Override
    public double learningRate() {
        return 1e-3;
    }

    /** The prompt set in this task's vocabulary, for probes and tests. */
    public IoiPromptSet prompts() {
        return prompts;
    }

    @Override
    public TrainingBatch batch(SplittableRandom rng) {
        int[][] tokens = new int[batchSize()][];
        int[][] targets = new int[batchSize()][];
        for (int i = 0; i < batchSize(); i++) {
            int[] pair = trainingPairs.get(rng.nextInt(trainingPairs.size()));
            int[] seq;
            int answer;
            double kind = rng.nextDouble();
            if (kind < REPEAT_SHARE) {
                IoiPrompt p = trainingPrompt(rng, pair);
                // The sentence without its last word: whether a name repeated must be carried from S2 to the end.
                seq = Arrays.copyOf(p.tokens(), p.endPos());
                boolean repeated = rng.nextBoolean();
                if (!repeated) {
                    int fresh;
                    do {
                        fresh = prompts.otherName(rng, pair[0], pair[1]);
                    } while (p.thirdPos() >= 0 && prompts.nameIds()[fresh] == p.tokens()[p.thirdPos()]);
                    seq[p.s2Pos()] = prompts.nameIds()[fresh];
                }
                answer = vocabulary.encode(repeated ? REPEATED : NEW_NAME)[0];
            } else if (kind < REPEAT_SHARE + DISTRACTOR_SHARE) {
                String[] d = DISTRACTORS.get(rng.nextInt(DISTRACTORS.size()));
                String text = d[0].replace("[X]", prompts.names().get(pair[0]))
                        .replace("[Y]", prompts.names().get(pair[1]));
                seq = vocabulary.encode(text);
                answer = d[1].equals("X") ? prompts.nameIds()[pair[0]] : vocabulary.encode(d[1])[0];
                seq = IntStream.concat(IntStream.of(bos), IntStream.concat(IntStream.of(prefix(rng, seq.length + 1)),
                        IntStream.of(seq))).toArray();
            } else {
                IoiPrompt p = trainingPrompt(rng, pair);
                seq = p.tokens();
                answer = p.ioToken();
            }
            tokens[i] = padToContext(seq);
            targets[i] = new int[SEQUENCE];
            Arrays.fill(targets[i], -1);
            targets[i][seq.length - 1] = answer;
        }
        return new TrainingBatch(tokens, targets);
    }

    /** A training-template prompt for the pair (IO, S), any third name random, with a random filler prefix. */
    private IoiPrompt trainingPrompt(SplittableRandom rng, int[] pair) {
        int template = rng.nextInt(TRAIN_TEMPLATES);
        int third = prompts.hasThirdName(template) ? prompts.otherName(rng, pair[0], pair[1]) : -1;
        IoiPrompt p = prompts.prompt(template, pair[0], pair[1], third, rng.nextBoolean());
        return prompts.withPrefix(p, prefix(rng, p.tokens().length));
    }

    @Override
    public TaskEvaluation evaluate(HookedTransformer model) {
        SplittableRandom rng = new SplittableRandom(EVAL_SEED);
        List<IoiPrompt> pairPrompts = heldOutPairPrompts(rng);
        List<IoiPrompt> templatePrompts = new ArrayList<>();
        for (int i = 0; i < HELD_OUT_TEMPLATE_PAIRS; i++) {
            templatePrompts.add(prompts.sample(rng, HELD_OUT_TEMPLATES));
        }
        List<IoiPrompt> shortcutPrompts = shortcutDefeatingPrompts(rng, SHORTCUT_PROMPTS);
        IoiScores pairs = score(model, pairPrompts);
        IoiScores templates = score(model, templatePrompts);
        IoiScores shortcut = score(model, shortcutPrompts);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("heldout_pairs_io_top1_accuracy", pairs.top1());
        metrics.put("heldout_pairs_io_above_s", pairs.ioAboveS());
        metrics.put("heldout_pairs_mean_logit_diff", pairs.meanLogitDiff());
        metrics.put("heldout_templates_io_above_s", templates.ioAboveS());
        metrics.put("heldout_templates_mean_logit_diff", templates.meanLogitDiff());
        metrics.put("heldout_templates_io_top1_accuracy", templates.top1());
        metrics.put("s2_not_last_name_io_above_s", shortcut.ioAboveS());
        metrics.put("s2_not_last_name_mean_logit_diff", shortcut.meanLogitDiff());
        metrics.put("heldout_pair_prompts", (double) pairPrompts.size());
        metrics.put("heldout_template_prompts", (double) templatePrompts.size());
        metrics.put("s2_not_last_name_prompts", (double) shortcutPrompts.size());
        return TaskEvaluation.of(metrics, Map.of(
                "heldout_pairs_io_top1_accuracy", 0.90,
                "heldout_templates_io_above_s", 0.90,
                "heldout_templates_mean_logit_diff", 2.0,
                "s2_not_last_name_io_above_s", 0.90));
    }

    /** Every held-out pair in both roles and both orders on every training template; third names drawn by rng. */
    private List<IoiPrompt> heldOutPairPrompts(SplittableRandom rng) {
        List<IoiPrompt> out = new ArrayList<>();
        int n = prompts.names().size();
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (a != b && heldOutPairs.contains(pairKey(a, b))) {
                    for (int t = 0; t < TRAIN_TEMPLATES; t++) {
                        for (boolean abba : new boolean[] {true, false}) {
                            int third = prompts.hasThirdName(t) ? prompts.otherName(rng, a, b) : -1;
                            out.add(prompts.prompt(t, a, b, third, abba));
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * {@code count} held-out-template prompts in which a third name stands between S2 and END, drawn as the
     * shortcut check of {@link #evaluate} draws them.
     */
    public List<IoiPrompt> shortcutDefeatingPrompts(SplittableRandom rng, int count) {
        List<IoiPrompt> out = new ArrayList<>();
        while (out.size() < count) {
            IoiPrompt p = prompts.sample(rng, HELD_OUT_TEMPLATES);
            if (p.s2IsNotTheLastName()) {
                out.add(p);
            }
        }
        return out;
    }

    /** Top-1 accuracy of IO, share of prompts with IO above S, and mean logit(IO) − logit(S), at END. */
    private record IoiScores(double top1, double ioAboveS, double meanLogitDiff) {
    }

    private IoiScores score(HookedTransformer model, List<IoiPrompt> list) {
        int top1 = 0;
        int above = 0;
        double diff = 0;
        int vocab = architecture().dVocab();
        for (int from = 0; from < list.size(); from += 256) {
            List<IoiPrompt> chunk = list.subList(from, Math.min(list.size(), from + 256));
            int[][] tokens = chunk.stream().map(p -> padToContext(p.tokens())).toArray(int[][]::new);
            float[] logits = model.logitsOnHeap(tokens).data();
            for (int i = 0; i < chunk.size(); i++) {
                IoiPrompt p = chunk.get(i);
                int base = (i * SEQUENCE + p.endPos()) * vocab;
                float io = logits[base + p.ioToken()];
                float s = logits[base + p.sToken()];
                diff += io - s;
                above += io > s ? 1 : 0;
                boolean best = true;
                for (int v = 0; v < vocab && best; v++) {
                    best = v == p.ioToken() || logits[base + v] < io;
                }
                top1 += best ? 1 : 0;
            }
        }
        return new IoiScores((double) top1 / list.size(), (double) above / list.size(), diff / list.size());
    }

    @Override
    public Map<String, Object> dataFormat() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("bos_token_id", bos);
        f.put("bos_placement", "every sentence, in training and evaluation, starts with <bos> at position 0");
        f.put("tokenization", "words split on spaces; ',' and '.' are separate tokens (\"store, Mary\" is"
                + " store | , | Mary); names are one token each; no lower-casing");
        f.put("pad_token_id", pad);
        f.put("sequence_length", SEQUENCE);
        f.put("padding", "right-padded with <pad>; the answer is predicted at the last non-pad token (END)");
        f.put("names", prompts.names());
        List<Map<String, Object>> templates = new ArrayList<>();
        for (int t = 0; t < TEMPLATES.size(); t++) {
            templates.add(Map.of("text", TEMPLATES.get(t), "held_out", t >= TRAIN_TEMPLATES,
                    "s2_is_last_name_before_end", !prompts.prompt(t, 0, 1, 2, true).s2IsNotTheLastName()));
        }
        f.put("templates", templates);
        f.put("template_slots", "[X], [Y]: the two people introduced; [S]: the repeated subject; [Z]: a third person,"
                + " neither IO nor S. ABBA: X = IO, Y = S; BABA: X = S, Y = IO. The answer is IO.");
        f.put("evaluation", Map.of(
                "heldout_pairs", "every held-out pair in both roles (each name once as IO, once as S) and both orders"
                        + " (ABBA, BABA) on every training template; any [Z] drawn uniformly from the other names",
                "heldout_templates", HELD_OUT_TEMPLATE_PAIRS + " prompts on held-out templates: template uniform, IO"
                        + " and S drawn uniformly from all names (distinct), order ABBA or BABA with equal chance,"
                        + " [Z] uniform among the other names",
                "s2_not_last_name", SHORTCUT_PROMPTS + " prompts drawn as for heldout_templates, keeping those in"
                        + " which a third name stands between S2 and END",
                "seed", EVAL_SEED,
                "scores", "logits at END (the last non-pad token); top-1 over the whole vocabulary"));
        List<List<String>> pairs = new ArrayList<>();
        int n = prompts.names().size();
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                if (heldOutPairs.contains(pairKey(a, b))) {
                    pairs.add(List.of(prompts.names().get(a), prompts.names().get(b)));
                }
            }
        }
        f.put("held_out_name_pairs", pairs);
        List<Map<String, String>> distractors = new ArrayList<>();
        for (String[] d : DISTRACTORS) {
            distractors.add(Map.of("text", d[0], "answer", d[1]));
        }
        f.put("distractors", Map.of("share", DISTRACTOR_SHARE, "sentences", distractors));
        f.put("repeat_detection", Map.of("share", REPEAT_SHARE, "sentences", "a training sentence (with its"
                + " prefix, if any) without its last word; [S] is X or Y with chance 1/2, answer \"" + REPEATED
                + "\", otherwise a name that is not X, Y or Z, answer \"" + NEW_NAME + "\"; the loss is on that"
                + " last position; training only"));
        f.put("prefix_fillers", Map.of("share", PREFIX_SHARE, "max_count", 2, "sentences", FILLERS,
                "placement", "after BOS, before the sentence, in training only; evaluation prompts have no prefix"));
        return f;
    }

    @Override
    public Optional<WordLevelTokenizer> vocabulary() {
        return Optional.of(vocabulary);
    }

    private static List<String> templates() {
        List<String> all = new ArrayList<>(IoiCorpus.TEMPLATES.subList(0, CORPUS_TRAIN_TEMPLATES));
        all.addAll(withSubjectAndThirdSwapped(SHORTCUT_BREAKING_TRAIN));
        all.addAll(IoiCorpus.TEMPLATES.subList(CORPUS_TRAIN_TEMPLATES, IoiCorpus.TEMPLATES.size()));
        all.addAll(withSubjectAndThirdSwapped(SHORTCUT_BREAKING_HELD_OUT));
        return List.copyOf(all);
    }

    /**
     * Each template, followed by the same sentence with [S] and [Z] exchanged when it has both. A first model
     * trained without the exchanged forms found S by its syntactic slot (no head attended from S2 to S1 more than
     * 0.18); with both forms, which of the two later names is S can only be told by its repeating X or Y.
     */
    private static List<String> withSubjectAndThirdSwapped(List<String> templates) {
        List<String> out = new ArrayList<>();
        for (String t : templates) {
            out.add(t);
            if (t.contains("[Z]")) {
                out.add(t.replace("[S]", "[T]").replace("[Z]", "[S]").replace("[T]", "[Z]"));
            }
        }
        return out;
    }

    /** No prefix for half the sentences; otherwise one or two filler sentences that still fit the context. */
    private int[] prefix(SplittableRandom rng, int sentenceLength) {
        if (rng.nextDouble() >= PREFIX_SHARE) {
            return new int[0];
        }
        int count = 1 + rng.nextInt(2);
        IntStream out = IntStream.empty();
        int used = sentenceLength;
        for (int i = 0; i < count; i++) {
            int[] f = fillers.get(rng.nextInt(fillers.size()));
            if (used + f.length <= SEQUENCE) {
                out = IntStream.concat(out, IntStream.of(f));
                used += f.length;
            }
        }
        return out.toArray();
    }

    /** The same sequence right-padded to the model's context with the pad token. */
    public int[] padToContext(int[] seq) {
        int[] out = new int[SEQUENCE];
        Arrays.fill(out, pad);
        System.arraycopy(seq, 0, out, 0, seq.length);
        return out;
    }

    /** A tenth of the unordered name pairs, chosen by a fixed shuffle so the split never changes. */
    private static Set<Long> chooseHeldOutPairs(int n) {
        List<long[]> all = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                all.add(new long[] {a, b});
            }
        }
        SplittableRandom rng = new SplittableRandom(SPLIT_SEED);
        for (int i = all.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            long[] tmp = all.get(i);
            all.set(i, all.get(j));
            all.set(j, tmp);
        }
        Set<Long> out = new java.util.HashSet<>();
        for (long[] p : all.subList(0, all.size() / 10)) {
            out.add(pairKey((int) p[0], (int) p[1]));
        }
        return out;
    }

    private static long pairKey(int a, int b) {
        return ((long) Math.min(a, b) << 32) | Math.max(a, b);
    }
}
