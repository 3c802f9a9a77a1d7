package io.circuitscope.core.probe;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.core.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds IOI prompts in token ids for one tokenizer, with the exact positions of IO, S1, S2 and END. */
// Templates are tokenized piece by piece around single-token names, so prompts are never decoded and re-tokenized.
// A template names its first two people [X] and [Y] and the repeated subject [S], e.g. "When [X] and [Y] went to the
// store, [S] gave a drink to". In ABBA order X is the indirect object; in BABA, Y is. An optional [Z] is a third
// person, neither IO nor S, placed where it breaks positional cues (for example between S2 and END).
public final class IoiPromptSet {
    private static final Pattern SLOT = Pattern.compile("\\[(X|Y|S|Z)]");

    private final List<String> templates;
    private final List<String> names;
    private final int[] nameIds;
    private final List<List<Object>> pieces = new ArrayList<>();
    private final Integer bos;

    /**
     * Keeps only the names that are single tokens for this tokenizer (with a leading space, as they appear
     * mid-sentence), and fails if fewer than four remain.
     *
     * @param bos the BOS id to put first in every prompt, or null for none
     */
    public IoiPromptSet(Tokenizer tokenizer, List<String> candidateNames, List<String> templates, Integer bos) {
        List<String> kept = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (String name : candidateNames) {
            OptionalInt id = tokenizer.singleToken(" " + name);
            if (id.isPresent() && !ids.contains(id.getAsInt())) {
                kept.add(name);
                ids.add(id.getAsInt());
            }
        }
        if (kept.size() < 4) {
            throw new CircuitscopeException("only " + kept.size() + " of " + candidateNames.size()
                    + " names are single tokens for " + tokenizer.description() + "; IOI needs at least 4");
        }
        this.names = List.copyOf(kept);
        this.nameIds = ids.stream().mapToInt(Integer::intValue).toArray();
        this.templates = List.copyOf(templates);
        this.bos = bos;
        for (String t : templates) {
            pieces.add(tokenizePieces(tokenizer, t));
        }
    }

    /**
     * The standard IOI prompts ({@link IoiCorpus}) for a loaded model, in its own tokenizer and with its BOS id;
     * fails clearly when the model has no tokenizer.
     */
    public static IoiPromptSet forModel(LoadedModel model) {
        return new IoiPromptSet(model.requireTokenizer("IOI prompts"), IoiCorpus.NAMES, IoiCorpus.TEMPLATES,
                model.bosTokenId().orElse(null));
    }

    /** Names usable with this tokenizer, index-aligned with {@link #nameIds()}. */
    public List<String> names() {
        return names;
    }

    public int[] nameIds() {
        return nameIds.clone();
    }

    public List<String> templates() {
        return templates;
    }

    /**
     * The prompt for a template with the given indirect object and subject (indices into {@link #names()}).
     *
     * @throws IllegalArgumentException if the template has a third name, which needs {@link #prompt(int, int, int,
     *     int, boolean)}
     */
    public IoiPrompt prompt(int template, int io, int s, boolean abba) {
        return prompt(template, io, s, -1, abba);
    }

    /**
     * The prompt for a template with the given indirect object, subject and, for a template with {@code [Z]}, third
     * name (indices into {@link #names()}; {@code third} is ignored, and may be -1, when the template has none).
     *
     * @throws IllegalArgumentException if a needed third name is missing or equals IO or S
     */
    public IoiPrompt prompt(int template, int io, int s, int third, boolean abba) {
        if (hasThirdName(template) && (third < 0 || third >= names.size() || third == io || third == s)) {
            throw new IllegalArgumentException("template " + template + " names a third person [Z], who must be a"
                    + " name other than IO and S: " + templates.get(template));
        }
        return build(template, abba ? io : s, abba ? s : io, s, third, io, s, abba);
    }

    /** True when the template has a {@code [Z]} slot: a third name that is neither IO nor S. */
    public boolean hasThirdName(int template) {
        return pieces.get(template).contains("Z");
    }

    /**
     * The ABC corruption of a prompt: IO, S1 and S2 replaced by three other distinct names, so that no name repeats
     * and the IOI signal is gone while the sentence structure stays; positions are unchanged.
     */
    public IoiPrompt abc(IoiPrompt clean, SplittableRandom rng) {
        if (names.size() < 5) {
            // Three replacements must differ from IO and S; with fewer than five names the draw below never ends.
            throw new CircuitscopeException("the ABC corruption needs at least 5 single-token names, but only "
                    + names.size() + " are available: " + names);
        }
        int[] others = new int[3];
        int found = 0;
        while (found < 3) {
            int candidate = rng.nextInt(names.size());
            int id = nameIds[candidate];
            boolean used = id == clean.ioToken() || id == clean.sToken()
                    || (clean.thirdPos() >= 0 && id == clean.tokens()[clean.thirdPos()]);
            for (int i = 0; i < found; i++) {
                used |= others[i] == candidate;
            }
            if (!used) {
                others[found++] = candidate;
            }
        }
        int[] t = clean.tokens().clone();
        t[clean.ioPos()] = nameIds[others[0]];
        t[clean.s1Pos()] = nameIds[others[1]];
        t[clean.s2Pos()] = nameIds[others[2]];
        return new IoiPrompt(t, clean.ioPos(), clean.s1Pos(), clean.s2Pos(), clean.endPos(), nameIds[others[0]],
                nameIds[others[1]], clean.abba(), clean.template(), clean.thirdPos());
    }

    /**
     * The same prompt with {@code prefix} inserted right after BOS (or at the start when there is none), every
     * recorded position shifted accordingly; used to vary where the sentence sits in the context.
     */
    public IoiPrompt withPrefix(IoiPrompt p, int[] prefix) {
        int at = bos != null ? 1 : 0;
        int[] t = new int[p.tokens().length + prefix.length];
        System.arraycopy(p.tokens(), 0, t, 0, at);
        System.arraycopy(prefix, 0, t, at, prefix.length);
        System.arraycopy(p.tokens(), at, t, at + prefix.length, p.tokens().length - at);
        int k = prefix.length;
        return new IoiPrompt(t, p.ioPos() + k, p.s1Pos() + k, p.s2Pos() + k, p.endPos() + k, p.ioToken(), p.sToken(),
                p.abba(), p.template(), p.thirdPos() < 0 ? -1 : p.thirdPos() + k);
    }

    /**
     * A random clean prompt from the given templates: IO and S drawn uniformly from all names, distinct, the order
     * ABBA or BABA with equal chance, and any third name drawn uniformly from the rest.
     */
    public IoiPrompt sample(SplittableRandom rng, List<Integer> templateChoices) {
        int template = templateChoices.get(rng.nextInt(templateChoices.size()));
        int io = rng.nextInt(names.size());
        int s = otherName(rng, io, -1);
        boolean abba = rng.nextBoolean();
        return prompt(template, io, s, hasThirdName(template) ? otherName(rng, io, s) : -1, abba);
    }

    /** A name index drawn uniformly from those other than {@code a} and {@code b} (-1 for no second exclusion). */
    public int otherName(SplittableRandom rng, int a, int b) {
        int n;
        do {
            n = rng.nextInt(names.size());
        } while (n == a || n == b);
        return n;
    }

    private IoiPrompt build(int template, int x, int y, int subject, int third, int io, int s, boolean abba) {
        List<Integer> out = new ArrayList<>();
        if (bos != null) {
            out.add(bos);
        }
        int xPos = -1;
        int yPos = -1;
        int sPos = -1;
        int zPos = -1;
        for (Object piece : pieces.get(template)) {
            if (piece instanceof int[] ids) {
                for (int id : ids) {
                    out.add(id);
                }
                continue;
            }
            switch ((String) piece) {
                case "X" -> {
                    xPos = out.size();
                    out.add(nameIds[x]);
                }
                case "Y" -> {
                    yPos = out.size();
                    out.add(nameIds[y]);
                }
                case "Z" -> {
                    zPos = out.size();
                    out.add(nameIds[third]);
                }
                default -> {
                    sPos = out.size();
                    out.add(nameIds[subject]);
                }
            }
        }
        int[] tokens = out.stream().mapToInt(Integer::intValue).toArray();
        int ioPos = abba ? xPos : yPos;
        int s1Pos = abba ? yPos : xPos;
        return new IoiPrompt(tokens, ioPos, s1Pos, sPos, tokens.length - 1, nameIds[io], nameIds[s], abba, template,
                zPos);
    }

    private static List<Object> tokenizePieces(Tokenizer tokenizer, String template) {
        List<Object> out = new ArrayList<>();
        Matcher m = SLOT.matcher(template);
        int at = 0;
        int slots = 0;
        while (m.find()) {
            String literal = template.substring(at, m.start());
            // The space before a name belongs to the name token (" Mary"), as GPT-2 BPE tokenizes it.
            String trimmed = literal.endsWith(" ") ? literal.substring(0, literal.length() - 1) : literal;
            if (!trimmed.isEmpty()) {
                out.add(at == 0 ? tokenizer.encode(trimmed) : tokenizer.encodeContinuation(trimmed));
            }
            out.add(m.group(1));
            slots++;
            at = m.end();
        }
        if (at < template.length()) {
            out.add(at == 0 ? tokenizer.encode(template) : tokenizer.encodeContinuation(template.substring(at)));
        }
        int third = template.contains("[Z]") ? 1 : 0;
        if (slots != 3 + third || !template.contains("[X]") || !template.contains("[Y]") || !template.contains("[S]")) {
            throw new IllegalArgumentException("an IOI template needs [X], [Y] and [S] once each, and at most one [Z]: "
                    + template);
        }
        return out;
    }
}
