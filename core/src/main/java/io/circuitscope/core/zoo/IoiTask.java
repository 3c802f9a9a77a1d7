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
 * Indirect object identification on a word-level vocabulary: ABBA and BABA sentences from fifteen training
 * templates, mixed with distractor sentences whose answer is a lone name or a word, with the loss on the final
 * token. Five templates and a tenth of the name pairs are held out for evaluation.
 */
public final class IoiTask implements ZooTask {
    static final int TRAIN_TEMPLATES = 15;
    static final int SEQUENCE = 32;
    private static final double DISTRACTOR_SHARE = 0.25;
    private static final long SPLIT_SEED = 0x101L;
    private static final long EVAL_SEED = 0xE7A1L;
    private static final int HELD_OUT_TEMPLATE_PAIRS = 300;

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
        for (String t : IoiCorpus.TEMPLATES) {
            words.addAll(WordLevelTokenizer.words(t.replaceAll("\\[[XYS]]", "")));
        }
        for (String[] d : DISTRACTORS) {
            words.addAll(WordLevelTokenizer.words(d[0].replaceAll("\\[[XY]]", "") + " " + d[1]));
        }
        for (String f : FILLERS) {
            words.addAll(WordLevelTokenizer.words(f));
        }
        words.remove("X");
        this.vocabulary = new WordLevelTokenizer(List.copyOf(words));
        this.bos = 0;
        this.pad = 1;
        this.prompts = new IoiPromptSet(vocabulary, IoiCorpus.NAMES, IoiCorpus.TEMPLATES, bos);
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
        return 6000;
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
            if (rng.nextDouble() < DISTRACTOR_SHARE) {
                String[] d = DISTRACTORS.get(rng.nextInt(DISTRACTORS.size()));
                String text = d[0].replace("[X]", prompts.names().get(pair[0]))
                        .replace("[Y]", prompts.names().get(pair[1]));
                seq = vocabulary.encode(text);
                answer = d[1].equals("X") ? prompts.nameIds()[pair[0]] : vocabulary.encode(d[1])[0];
                seq = IntStream.concat(IntStream.of(bos), IntStream.concat(IntStream.of(prefix(rng, seq.length + 1)),
                        IntStream.of(seq))).toArray();
            } else {
                IoiPrompt p = prompts.prompt(rng.nextInt(TRAIN_TEMPLATES), pair[0], pair[1], rng.nextBoolean());
                p = prompts.withPrefix(p, prefix(rng, p.tokens().length));
                seq = p.tokens();
                answer = p.ioToken();
            }
            tokens[i] = padded(seq);
            targets[i] = new int[SEQUENCE];
            Arrays.fill(targets[i], -1);
            targets[i][seq.length - 1] = answer;
        }
        return new TrainingBatch(tokens, targets);
    }

    @Override
    public TaskEvaluation evaluate(HookedTransformer model) {
        List<IoiPrompt> pairPrompts = new ArrayList<>();
        int n = prompts.names().size();
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (a != b && heldOutPairs.contains(pairKey(a, b))) {
                    for (int t = 0; t < TRAIN_TEMPLATES; t++) {
                        pairPrompts.add(prompts.prompt(t, a, b, true));
                        pairPrompts.add(prompts.prompt(t, a, b, false));
                    }
                }
            }
        }
        SplittableRandom rng = new SplittableRandom(EVAL_SEED);
        List<IoiPrompt> templatePrompts = new ArrayList<>();
        List<Integer> heldOutTemplates = IntStream.range(TRAIN_TEMPLATES, IoiCorpus.TEMPLATES.size()).boxed().toList();
        for (int i = 0; i < HELD_OUT_TEMPLATE_PAIRS; i++) {
            IoiPrompt p = prompts.sample(rng, heldOutTemplates);
            templatePrompts.add(p);
        }
        IoiScores pairs = score(model, pairPrompts);
        IoiScores templates = score(model, templatePrompts);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("heldout_pairs_io_top1_accuracy", pairs.top1());
        metrics.put("heldout_pairs_io_above_s", pairs.ioAboveS());
        metrics.put("heldout_pairs_mean_logit_diff", pairs.meanLogitDiff());
        metrics.put("heldout_templates_io_above_s", templates.ioAboveS());
        metrics.put("heldout_templates_mean_logit_diff", templates.meanLogitDiff());
        metrics.put("heldout_templates_io_top1_accuracy", templates.top1());
        metrics.put("heldout_pair_prompts", (double) pairPrompts.size());
        metrics.put("heldout_template_prompts", (double) templatePrompts.size());
        return TaskEvaluation.of(metrics, Map.of(
                "heldout_pairs_io_top1_accuracy", 0.90,
                "heldout_templates_io_above_s", 0.90,
                "heldout_templates_mean_logit_diff", 2.0));
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
            int[][] tokens = chunk.stream().map(p -> padded(p.tokens())).toArray(int[][]::new);
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
        f.put("pad_token_id", pad);
        f.put("sequence_length", SEQUENCE);
        f.put("padding", "right-padded with <pad>; the answer is predicted at the last non-pad token (END)");
        f.put("names", prompts.names());
        List<Map<String, Object>> templates = new ArrayList<>();
        for (int t = 0; t < IoiCorpus.TEMPLATES.size(); t++) {
            templates.add(Map.of("text", IoiCorpus.TEMPLATES.get(t), "held_out", t >= TRAIN_TEMPLATES));
        }
        f.put("templates", templates);
        f.put("template_slots", "[X], [Y]: the two people introduced; [S]: the repeated subject. ABBA: X = IO, Y = S;"
                + " BABA: X = S, Y = IO. The answer is IO.");
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
        f.put("prefix_fillers", Map.of("share", PREFIX_SHARE, "max_count", 2, "sentences", FILLERS,
                "placement", "after BOS, before the sentence, in training only; evaluation prompts have no prefix"));
        return f;
    }

    @Override
    public Optional<WordLevelTokenizer> vocabulary() {
        return Optional.of(vocabulary);
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

    private int[] padded(int[] seq) {
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
